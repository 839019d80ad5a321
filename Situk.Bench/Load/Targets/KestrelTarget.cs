using System.Net.WebSockets;
using System.Text.Json;
using Situk.Bench.Baseline;
using Situk.Contracts;

namespace Situk.Bench.Load.Targets;

/// <summary>
/// The bare Kestrel baseline (<see cref="KestrelBaseline"/>) as a child process. It relays bytes, so the
/// publisher sends the very device frame Situk's broker would serialise, and devices parse and ack exactly
/// what they parse and ack on Situk: the devices' share of the CPU is the same on both. Run with the broker's
/// GC settings (workstation, concurrent), as the SignalR baseline is.
/// </summary>
internal sealed class KestrelTarget : LoadTarget
{
    private int _port;

    public override string Name => "kestrel";

    protected override async Task<ChildProcess> LaunchAsync(LoadOptions options)
    {
        _port = ChildProcess.FreePort();
        var process = ChildProcess.Start("kestrel", "Situk.Bench.dll", ["baseline-kestrel", "--url", $"http://127.0.0.1:{_port}"],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "1" });
        await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{_port}/healthz"), TimeSpan.FromSeconds(30));
        return process;
    }

    public override Uri DeviceUri(int index, string deviceClass) =>
        new($"ws://127.0.0.1:{_port}/ws?device={deviceClass}&user={SitukTarget.UserOf(index)}");

    public override void Prepare(ClientWebSocket socket, int index)
    {
    }

    public override void ReadNotificationIds(ReadOnlySpan<byte> message, List<long> ids)
    {
        if (JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame) is NotificationFrame notification)
        {
            ids.Add(notification.Id);
        }
    }

    public override byte[] Ack(long id) =>
        JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame([id]), SitukJson.Default.DeviceFrame);

    public override byte[] Ack(long[] ids, int[] delays) =>
        JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame(ids, delays), SitukJson.Default.DeviceFrame);

    public override async Task<PublishLink> ConnectPublisherAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_port}/ws?publisher=1"), cancellationToken);
        return new PublishLink(socket, static (id, bytes) => DeviceFrameOf(id, bytes));
    }

    public override HttpRequestMessage PublishRequest(int deviceIndex, long id, int payloadBytes) =>
        new(HttpMethod.Post, new Uri($"http://127.0.0.1:{_port}/publish?user={SitukTarget.UserOf(deviceIndex)}"))
        {
            Content = SitukTarget.Json(DeviceFrameOf(id, payloadBytes)),
        };

    /// <summary>What Situk's broker writes to a device for this notification.</summary>
    private static byte[] DeviceFrameOf(long id, int payloadBytes)
    {
        var now = DateTimeOffset.UtcNow;
        var notification = new PushNotification(id, NotificationKinds.AdminMessage, "Pengumuman", new string('x', payloadBytes), null, null, now);
        return JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(notification.ToFrame(now), SitukJson.Default.DeviceFrame);
    }
}
