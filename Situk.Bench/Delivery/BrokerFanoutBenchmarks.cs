using System.Net.WebSockets;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Situk.Contracts;

namespace Situk.Bench.Delivery;

/// <summary>
/// Broker → device delivery delay over real loopback sockets: one operation is a publish through the
/// internal socket (as the API sends it) until every device has received it — drained, not enqueued.
/// </summary>
[MemoryDiagnoser]
public class BrokerFanoutBenchmarks
{
    private BenchBroker _broker = null!;
    private DeviceSwarm _swarm = null!;
    private ClientWebSocket _link = null!;
    private string _body = "";
    private long _id;
    private Task _drain = Task.CompletedTask;

    [Params(64, 1024, 16 * 1024, 64 * 1024)]
    public int PayloadBytes { get; set; }

    [Params(1, 100, 1000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _broker = await BenchBroker.StartAsync();
        _swarm = await DeviceSwarm.ConnectAsync(_broker, Devices, i => "bench-user-" + i);
        _link = await _broker.ConnectInternalAsync();
        _body = new string('x', PayloadBytes);
        _drain = DrainLinkAsync(_link);
    }

    [Benchmark(Description = "publish → every device received")]
    public async Task PublishToAll()
    {
        var id = Interlocked.Increment(ref _id);
        var received = _swarm.ExpectAsync(id);
        var frame = new PublishFrame(id, Audience.ForRole(Roles.Asesi),
            new PushNotification(id, NotificationKinds.AdminMessage, "Pengumuman", _body, null, null, DateTimeOffset.UtcNow));
        await _link.SendAsync(JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(frame, SitukJson.Default.InternalFrame),
            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await received;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _link.Abort();
        await _drain;
        _link.Dispose();
        await _swarm.DisposeAsync();
        await _broker.DisposeAsync();
    }

    // The broker answers every publish and sends presence; read them so the link never backs up.
    private static async Task DrainLinkAsync(ClientWebSocket link)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (link.State == WebSocketState.Open)
            {
                await link.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed at cleanup.
        }
    }
}
