using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// One device per candidate on the broker's device socket, each timing every notification it receives
/// from the notification's <c>createdAt</c> (the database's clock at insert for REST-created ones, the
/// bench's clock at publish for direct ones: one machine, one clock) and acking it as a device does.
/// </summary>
internal sealed class EndToEndDevices : IAsyncDisposable
{
    private readonly List<ClientWebSocket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<long, DelayRecorder?> _recorderFor;

    public EndToEndDevices(Func<long, DelayRecorder?> recorderFor) => _recorderFor = recorderFor;

    public int Connected => _sockets.Count;

    public async Task ConnectAsync(SitukSystem system, IReadOnlyList<long> userIds, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        using var gate = new SemaphoreSlim(64);
        var connects = userIds.Select(async (userId, index) =>
        {
            await gate.WaitAsync(timeout.Token);
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + system.DeviceToken(userId));
                // Spread over the brokers in turn, as a least_conn load balancer would.
                await socket.ConnectAsync(new Uri(system.DeviceUrls[index % system.DeviceUrls.Count] + "?device=web"), timeout.Token);
                lock (_sockets)
                {
                    _sockets.Add(socket);
                    _loops.Add(ReceiveAsync(socket, _stop.Token));
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(connects);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Abort();
        }

        await Task.WhenAll(_loops);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), stop);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (JsonSerializer.Deserialize(buffer.AsSpan(0, length), SitukJson.Default.DeviceFrame) is not NotificationFrame notification)
                {
                    continue;
                }

                var delay = DateTimeOffset.UtcNow - notification.CreatedAt;
                _recorderFor(notification.Id)?.Record(notification.Id, delay.Ticks / TimeSpan.TicksPerMicrosecond);
                var ack = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame([notification.Id]), SitukJson.Default.DeviceFrame);
                await socket.SendAsync(ack, WebSocketMessageType.Text, endOfMessage: true, stop);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Stopped at the end of the run, or the broker went away: the phase reports what is missing.
        }
    }
}
