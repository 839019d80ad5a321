using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Situk.Tests.Support;

/// <summary>One WebSocket frame as it came off the wire.</summary>
internal sealed record RawFrame(bool Final, int Opcode, bool Masked, byte[] Payload)
{
    public const int Text = 1;
    public const int Close = 8;
    public const int Ping = 9;
    public const int Pong = 10;

    /// <summary>The close code of a close frame (1005 when it carries none).</summary>
    public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 1005;
}

/// <summary>
/// A device that speaks WebSocket byte by byte over a raw socket: it reads every frame header itself, so a
/// frame written inside another, a masked server frame or a length that does not match its payload shows as
/// what it is instead of being smoothed over by a client library. It writes masked frames, as a client must.
/// </summary>
internal sealed class RawDevice : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawDevice(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Upgrades a socket whose kernel receive buffer is <paramref name="receiveBuffer"/> bytes (small: the broker's writes back up soon).</summary>
    public static async Task<RawDevice> ConnectAsync(int port, string token, CancellationToken ct, int receiveBuffer = 4096)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBuffer };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws?device=other HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);
        var device = new RawDevice(socket);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await device._stream.ReadExactlyAsync(one, ct);
            head.Append((char)one[0]);
        }

        if (!head.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            device.Dispose();
            throw new IOException($"The broker refused the upgrade: {head}");
        }

        return device;
    }

    /// <summary>The next frame; throws <see cref="EndOfStreamException"/> when the connection ends first.</summary>
    public async Task<RawFrame> ReadFrameAsync(CancellationToken ct)
    {
        var head = new byte[2];
        await _stream.ReadExactlyAsync(head, ct);
        var masked = (head[1] & 0x80) != 0;
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await _stream.ReadExactlyAsync(extended, ct);
            length = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else if (length == 127)
        {
            var extended = new byte[8];
            await _stream.ReadExactlyAsync(extended, ct);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        if (length > 16 * 1024 * 1024)
        {
            throw new InvalidDataException($"A frame of {length} bytes: the stream is out of step (a frame written inside another).");
        }

        var mask = new byte[4];
        if (masked)
        {
            await _stream.ReadExactlyAsync(mask, ct);
        }

        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, ct);
        return new RawFrame((head[0] & 0x80) != 0, head[0] & 0x0F, masked, payload);
    }

    public Task SendPingAsync(byte[] payload, CancellationToken ct) => SendAsync(RawFrame.Ping, payload, ct);

    public Task SendPongAsync(byte[] payload, CancellationToken ct) => SendAsync(RawFrame.Pong, payload, ct);

    public Task SendCloseAsync(int code, CancellationToken ct)
    {
        var payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        return SendAsync(RawFrame.Close, payload, ct);
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>A whole, masked client frame (payload ≤ 125 bytes: control frames and small texts).</summary>
    private async Task SendAsync(int opcode, byte[] payload, CancellationToken ct)
    {
        var frame = new byte[6 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | payload.Length);
        RandomNumberGenerator.Fill(frame.AsSpan(2, 4));
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ frame[2 + (i % 4)]);
        }

        await _stream.WriteAsync(frame, ct);
    }
}
