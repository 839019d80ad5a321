using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Situk.Bench.Baseline;

namespace Situk.Bench.Load.Targets;

/// <summary>
/// The SignalR baseline (<see cref="SignalRBaseline"/>) as a child process, spoken to with SignalR's JSON
/// hub protocol over a plain <see cref="ClientWebSocket"/> (WebSockets transport, negotiation skipped,
/// as the SignalR clients do with <c>SkipNegotiation</c>): records end with 0x1E, a broadcast arrives as
/// <c>{"type":1,"target":"notification","arguments":[{…}]}</c>, and an ack is an invocation of <c>Ack</c>.
/// The child runs the broker's GC settings (workstation, concurrent) so RSS compares like with like.
/// </summary>
internal sealed class SignalRTarget : LoadTarget
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _port;

    public override string Name => "signalr";

    public override ReadOnlyMemory<byte> Hello => Handshake;

    protected override async Task<ChildProcess> LaunchAsync(LoadOptions options)
    {
        _port = ChildProcess.FreePort();
        var process = ChildProcess.Start("signalr", "Situk.Bench.dll", ["baseline-signalr", "--url", $"http://127.0.0.1:{_port}"],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "1" });
        await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{_port}/healthz"), TimeSpan.FromSeconds(30));
        return process;
    }

    public override Uri DeviceUri(int index, string deviceClass) => new($"ws://127.0.0.1:{_port}/hub?device={deviceClass}&user={SitukTarget.UserOf(index)}");

    public override void Prepare(ClientWebSocket socket, int index)
    {
    }

    public override void ReadNotificationIds(ReadOnlySpan<byte> message, List<long> ids)
    {
        while (!message.IsEmpty)
        {
            var end = message.IndexOf(RecordSeparator);
            var record = end < 0 ? message : message[..end];
            message = end < 0 ? [] : message[(end + 1)..];
            using var document = JsonDocument.Parse(record.ToArray());
            var root = document.RootElement;
            if (root.TryGetProperty("type", out var type) && type.GetInt32() == 1
                && root.TryGetProperty("target", out var target) && target.ValueEquals("notification"))
            {
                ids.Add(root.GetProperty("arguments")[0].GetProperty("id").GetInt64());
            }
        }
    }

    public override byte[] Ack(long id) => Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Ack\",\"arguments\":[[{id}]]}}\u001e");

    // The hub's Ack takes ids only: the baseline has no receipt times to correct.
    public override byte[] Ack(long[] ids, int[] delays) =>
        Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Ack\",\"arguments\":[[{string.Join(',', ids)}]]}}\u001e");

    public override HttpRequestMessage PublishRequest(int deviceIndex, long id, int payloadBytes) =>
        new(HttpMethod.Post, new Uri($"http://127.0.0.1:{_port}/publish?user={SitukTarget.UserOf(deviceIndex)}"))
        {
            Content = SitukTarget.Json(JsonSerializer.SerializeToUtf8Bytes(
                new BaselineNotification(id, "admin.message", "Pengumuman", new string('x', payloadBytes), DateTimeOffset.UtcNow, null), Json)),
        };

    public override async Task<PublishLink> ConnectPublisherAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_port}/hub?publisher=1"), cancellationToken);
        await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        return new PublishLink(socket, static (id, bytes) =>
        {
            var notification = new BaselineNotification(id, "admin.message", "Pengumuman", new string('x', bytes), DateTimeOffset.UtcNow, null);
            var invocation = new { type = 1, target = "Publish", arguments = new object[] { notification } };
            return [.. JsonSerializer.SerializeToUtf8Bytes(invocation, Json), RecordSeparator];
        });
    }
}
