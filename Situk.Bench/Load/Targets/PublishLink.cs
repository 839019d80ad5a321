using System.Net.WebSockets;

namespace Situk.Bench.Load.Targets;

/// <summary>
/// The publisher's socket: sends one broadcast per call and reads (and drops) whatever the server sends
/// back — Situk's <c>published</c>, receipts and presence frames, SignalR's pings — so it never backs up.
/// </summary>
internal sealed class PublishLink : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Func<long, int, byte[]> _frame;
    private readonly Task _drain;

    public PublishLink(ClientWebSocket socket, Func<long, int, byte[]> frame)
    {
        _socket = socket;
        _frame = frame;
        _drain = DrainAsync(socket);
    }

    /// <summary>Sends broadcast <paramref name="id"/> with a body of <paramref name="payloadBytes"/> characters.</summary>
    public Task SendAsync(long id, int payloadBytes, CancellationToken cancellationToken) =>
        SendFrameAsync(_frame(id, payloadBytes), cancellationToken);

    /// <summary>Sends a frame built by the caller (a one-to-one publish, say) on the same socket.</summary>
    public Task SendFrameAsync(byte[] frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _drain;
        _socket.Dispose();
    }

    private static async Task DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed at the end of the run.
        }
    }
}
