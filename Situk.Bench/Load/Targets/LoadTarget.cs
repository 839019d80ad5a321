using System.Net.WebSockets;

namespace Situk.Bench.Load.Targets;

/// <summary>
/// One server under test, as the load command sees it: a child process, how a device socket is opened and
/// spoken to, and a publisher that broadcasts to every device. Three exist: Situk's broker, the bare Kestrel
/// baseline and the SignalR baseline; the fleet, the patterns and the report are the same for all.
/// </summary>
internal abstract class LoadTarget : IAsyncDisposable
{
    private ChildProcess? _process;

    public abstract string Name { get; }

    public ChildProcess Process => _process ?? throw new InvalidOperationException("Not started.");

    /// <summary>
    /// Starts the child process and waits until it answers its health check. A port picked free can be
    /// taken before the child binds it (thousands of sockets of an earlier run linger in TIME_WAIT): a
    /// child that exits before it is healthy is started again on fresh ports, three times at most.
    /// </summary>
    public async Task StartAsync(LoadOptions options)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _process = await LaunchAsync(options);
                return;
            }
            catch (ChildExitedException e) when (attempt < 3)
            {
                Console.WriteLine($"  {Name}: {e.Message} Starting it again on other ports.");
            }
        }
    }

    protected abstract Task<ChildProcess> LaunchAsync(LoadOptions options);

    /// <summary>Kills the child process, as a crash would, so that <see cref="StartAsync"/> starts a fresh one.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Where device <paramref name="index"/> connects, with what it declares about itself.</summary>
    public abstract Uri DeviceUri(int index, string deviceClass);

    /// <summary>Headers and options for device <paramref name="index"/>'s socket, before it connects.</summary>
    public abstract void Prepare(ClientWebSocket socket, int index);

    /// <summary>What the device sends right after the upgrade (SignalR's handshake), if anything.</summary>
    public virtual ReadOnlyMemory<byte> Hello => ReadOnlyMemory<byte>.Empty;

    /// <summary>The notification ids in one received message (none for welcome, pings, handshakes).</summary>
    public abstract void ReadNotificationIds(ReadOnlySpan<byte> message, List<long> ids);

    /// <summary>The device's ack of <paramref name="id"/>, ready to send.</summary>
    public abstract byte[] Ack(long id);

    /// <summary>One ack of several ids gathered over the device's ack window, each with the ms since it arrived (<c>--ack-window</c>).</summary>
    public abstract byte[] Ack(long[] ids, int[] delays);

    /// <summary>A link that broadcasts to every device, as the API (or a SignalR publisher) would.</summary>
    public abstract Task<PublishLink> ConnectPublisherAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The HTTP call that publishes notification <paramref name="id"/> (a body of <paramref name="payloadBytes"/>
    /// characters) to device <paramref name="deviceIndex"/>'s user alone: Situk's <c>POST /admin/publish</c>, the
    /// baselines' <c>POST /publish?user=</c>.
    /// </summary>
    public abstract HttpRequestMessage PublishRequest(int deviceIndex, long id, int payloadBytes);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
