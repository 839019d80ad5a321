using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Situk.Tests.Support;

/// <summary>
/// A device that completes the WebSocket handshake over a raw socket with a 4 KiB receive buffer and
/// then reads nothing: its TCP window closes at once and everything the broker writes piles up on the
/// broker's side. <see cref="StartReading"/> later turns it into an ordinary client socket, to see what
/// the broker finally told it.
/// </summary>
internal sealed class StalledDevice : IDisposable
{
    private readonly Socket _socket;

    private StalledDevice(Socket socket) => _socket = socket;

    public static async Task<StalledDevice> ConnectAsync(int port, string token, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws?device=other HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);

        // Byte by byte up to the blank line, so not one byte of the first frame is taken off the wire.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, ct) == 0)
            {
                throw new IOException($"The broker closed the handshake: {head}");
            }

            head.Append((char)one[0]);
        }

        if (!head.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            socket.Dispose();
            throw new IOException($"The broker refused the upgrade: {head}");
        }

        return new StalledDevice(socket);
    }

    /// <summary>From now on the device reads, as a normal client WebSocket over the same connection.</summary>
    public WebSocket StartReading() =>
        WebSocket.CreateFromStream(new NetworkStream(_socket, ownsSocket: false), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });

    public void Dispose() => _socket.Dispose();
}
