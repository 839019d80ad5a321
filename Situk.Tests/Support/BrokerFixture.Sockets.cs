using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Tests.Support;

/// <summary>Reading and writing the broker's frames on a client socket in tests.</summary>
public static class BrokerSockets
{
    /// <summary>Reads one whole message; null when the peer closed (its code is then in <see cref="WebSocket.CloseStatus"/>).</summary>
    public static async Task<byte[]?> ReceiveMessageAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Reads the next device frame; throws if the socket closed instead.</summary>
    public static async Task<DeviceFrame> ReceiveDeviceFrameAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var message = await socket.ReceiveMessageAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The socket closed with {socket.CloseStatus} ({socket.CloseStatusDescription}).");
        return JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame)!;
    }

    public static async Task<WelcomeFrame> ReceiveWelcomeAsync(this WebSocket socket, CancellationToken cancellationToken) =>
        (WelcomeFrame)await socket.ReceiveDeviceFrameAsync(cancellationToken);

    public static async Task<NotificationFrame> ReceiveNotificationAsync(this WebSocket socket, CancellationToken cancellationToken) =>
        (NotificationFrame)await socket.ReceiveDeviceFrameAsync(cancellationToken);

    /// <summary>Reads the next internal frame; throws if the socket closed instead.</summary>
    public static async Task<InternalFrame> ReceiveInternalFrameAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var message = await socket.ReceiveMessageAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The socket closed with {socket.CloseStatus} ({socket.CloseStatusDescription}).");
        return JsonSerializer.Deserialize(message, SitukJson.Default.InternalFrame)!;
    }

    /// <summary>Reads internal frames until one of type <typeparamref name="T"/> matches <paramref name="predicate"/>.</summary>
    public static async Task<T> ReceiveInternalAsync<T>(this WebSocket socket, Func<T, bool>? predicate, CancellationToken cancellationToken)
        where T : InternalFrame
    {
        while (true)
        {
            if (await socket.ReceiveInternalFrameAsync(cancellationToken) is T frame && (predicate?.Invoke(frame) ?? true))
            {
                return frame;
            }
        }
    }

    /// <summary>
    /// Discards messages until the peer's close frame arrives, answers it, and returns its code
    /// (1006 if the connection broke without one).
    /// </summary>
    public static async Task<int> ReceiveCloseAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (await socket.ReceiveMessageAsync(cancellationToken) is not null)
            {
            }

        }
        catch (WebSocketException)
        {
            return 1006;
        }

        try
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
            }
        }
        catch (WebSocketException)
        {
            // The server may already have dropped the connection after its close frame.
        }

        return (int?)socket.CloseStatus ?? 1005;
    }

    public static Task SendTextAsync(this WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public static Task SendFrameAsync(this WebSocket socket, DeviceFrame frame, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.DeviceFrame), WebSocketMessageType.Text, true, cancellationToken);

    public static Task SendFrameAsync(this WebSocket socket, InternalFrame frame, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.InternalFrame), WebSocketMessageType.Text, true, cancellationToken);
}
