using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load;

/// <summary>
/// N device sockets in this process, opened at a bounded rate (and at most <see cref="Concurrency"/>
/// handshakes at once) over several loopback source addresses, each with its own receive loop. Refusals
/// are counted by HTTP status (the broker's 503 past <c>MaxConnections</c>, 429 from its rate limit).
/// </summary>
internal sealed class DeviceFleet : IAsyncDisposable
{
    private const int Concurrency = 128;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    private readonly LoadTarget _target;
    private readonly SourceAddresses _sources;
    private readonly ConcurrentBag<Device> _devices = [];
    private readonly ConcurrentBag<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private int _open;
    private int _attempted;

    private readonly TimeSpan _ackWindow;

    private DeviceFleet(LoadTarget target, int devicesPerAddress, TimeSpan ackWindow)
    {
        _target = target;
        _sources = new SourceAddresses(devicesPerAddress);
        _ackWindow = ackWindow;
    }

    /// <summary>The book deliveries are recorded in right now; null records nothing.</summary>
    public DelayBook? Book { get; set; }

    /// <summary>The one-to-one phase's book while it runs; null the rest of the time.</summary>
    public OneToOneBook? OneToOne { get; set; }

    /// <summary>False while devices read without acking (the silent probes); true by default.</summary>
    public bool Acking { get; set; } = true;

    public int Open => Volatile.Read(ref _open);

    public int Attempted => Volatile.Read(ref _attempted);

    public int Connected => _devices.Count;

    /// <summary>The indexes of the devices that connected.</summary>
    public IEnumerable<int> ConnectedIndexes => _devices.Select(d => d.Index);

    public ConcurrentDictionary<string, int> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Device sockets that ended before the fleet was stopped, by close code.</summary>
    public ConcurrentDictionary<string, int> Closed { get; } = new(StringComparer.Ordinal);

    public double ConnectSeconds { get; private set; }

    public static DeviceFleet Create(LoadTarget target, LoadOptions options) => new(target, options.DevicesPerAddress, options.AckWindow);

    /// <summary>Opens up to <paramref name="devices"/> sockets at <paramref name="perSecond"/>; stops at <paramref name="deadline"/> and keeps what it has.</summary>
    public async Task ConnectAsync(LoadOptions options, int devices, int perSecond, TimeSpan deadline)
    {
        using var phase = new CancellationTokenSource(deadline);
        using var gate = new SemaphoreSlim(Concurrency);
        var started = Stopwatch.GetTimestamp();
        var handshakes = new List<Task>(devices);
        try
        {
            for (var i = 0; i < devices; i++)
            {
                var due = TimeSpan.FromSeconds(i / (double)perSecond) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, phase.Token);
                }

                await gate.WaitAsync(phase.Token);
                var index = options.FirstDevice + i;
                handshakes.Add(OpenOneAsync(index, options.ClassOf(index), options.BandwidthOf(index), gate, phase.Token));
            }
        }
        catch (OperationCanceledException)
        {
            // Deadline: keep the sockets opened so far.
        }

        await Task.WhenAll(handshakes);
        ConnectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task OpenOneAsync(int index, string deviceClass, int kbit, SemaphoreSlim gate, CancellationToken phase)
    {
        Interlocked.Increment(ref _attempted);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        _target.Prepare(socket, index);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(phase);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(_target.DeviceUri(index, deviceClass), _sources.InvokerFor(index), timeout.Token);
            if (!_target.Hello.IsEmpty)
            {
                await socket.SendAsync(_target.Hello, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            }

            var device = new Device(index, deviceClass, kbit, socket) { AckWindow = _ackWindow, Acking = () => Acking, OneToOne = () => OneToOne };
            _devices.Add(device);
            Interlocked.Increment(ref _open);
            _loops.Add(RunAsync(device));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            var why = socket.HttpStatusCode != 0 ? ((int)socket.HttpStatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : e is OperationCanceledException ? "timeout"
                : "error: " + (e.InnerException?.Message ?? e.Message);
            Refused.AddOrUpdate(why, 1, static (_, n) => n + 1);
            socket.Dispose();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RunAsync(Device device)
    {
        await Task.Yield();
        try
        {
            await device.RunAsync(_target, () => Book, _stop.Token);
            Count(device.Socket.CloseStatus is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "closed");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Count("lost");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private void Count(string why) => Closed.AddOrUpdate(why, 1, static (_, n) => n + 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var device in _devices)
        {
            device.Socket.Abort();
        }

        await Task.WhenAny(Task.WhenAll(_loops), Task.Delay(TimeSpan.FromSeconds(15)));
        foreach (var device in _devices)
        {
            device.Socket.Dispose();
        }

        _sources.Dispose();
        _stop.Dispose();
    }
}
