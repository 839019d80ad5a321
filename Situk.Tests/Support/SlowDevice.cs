using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Situk.Tests.Support;

/// <summary>
/// A device that stops reading: a raw loopback socket with a small receive buffer that completes the
/// WebSocket upgrade by hand, reads the 101 answer byte by byte (nothing past it) and then reads nothing,
/// so the broker's frames pile up in the kernel's buffers and then in the session's queue.
/// <see cref="StartReading"/> turns it into a client <see cref="WebSocket"/> on the same connection, to
/// read what the broker had queued for it and its close.
/// </summary>
public sealed class SlowDevice : IDisposable
{
    private readonly NetworkStream _stream;
    private WebSocket? _webSocket;

    private SlowDevice(Socket socket)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<SlowDevice> ConnectAsync(IPEndPoint broker, string token, CancellationToken cancellationToken)
    {
        // The receive buffer is set before connecting, so the window the broker sees is small from the start.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            await socket.ConnectAsync(broker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var device = new SlowDevice(socket);
        try
        {
            var request = $"GET /ws HTTP/1.1\r\nHost: {broker}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {Convert.ToBase64String(Guid.NewGuid().ToByteArray())}\r\nSec-WebSocket-Version: 13\r\n" +
                $"Authorization: Bearer {token}\r\n\r\n";
            await device._stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            var head = await device.ReadHeadAsync(cancellationToken);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The broker did not upgrade: " + head);
            }

            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>From now on the device reads: a client WebSocket over the same connection.</summary>
    public WebSocket StartReading() =>
        _webSocket ??= WebSocket.CreateFromStream(_stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new InvalidOperationException("The broker closed during the upgrade: " + head);
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    public void Dispose()
    {
        _webSocket?.Dispose();
        _stream.Dispose();
    }
}
