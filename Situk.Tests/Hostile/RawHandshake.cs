using System.Buffers.Binary;
using System.Net;
using System.Text;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

/// <summary>Hand-made WebSocket handshakes and frames, for inputs <see cref="System.Net.WebSockets.ClientWebSocket"/> refuses to produce.</summary>
internal static class RawHandshake
{
    /// <summary>A valid key (base64 of 16 bytes, RFC 6455's own example).</summary>
    public const string ValidKey = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>A <c>GET /ws</c> upgrade request; <paramref name="headers"/> replace or remove (null) the standard ones.</summary>
    public static string Request(IPEndPoint host, string? token, IDictionary<string, string?>? headers = null, string method = "GET", string path = "/ws")
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = host.ToString(),
            ["Upgrade"] = "websocket",
            ["Connection"] = "Upgrade",
            ["Sec-WebSocket-Key"] = ValidKey,
            ["Sec-WebSocket-Version"] = "13",
            ["Authorization"] = token is null ? null : "Bearer " + token,
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\n");
        foreach (var (name, value) in all.Where(h => h.Value is not null))
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return request.Append("\r\n").ToString();
    }

    /// <summary>Upgrades a raw connection as a device and reads the welcome frame; the socket is then the test's to abuse.</summary>
    public static async Task<RawConnection> UpgradeAsync(BrokerFixture broker, string userId, CancellationToken cancellationToken)
    {
        var connection = await RawConnection.OpenAsync(broker.DeviceEndPoint, cancellationToken);
        await connection.SendAsync(Request(broker.DeviceEndPoint, broker.Tokens.Issue(userId)), cancellationToken);
        var head = await connection.ReadHeadAsync(cancellationToken);
        Assert.That(RawConnection.StatusOf(head), Is.EqualTo(101), head);
        var (opcode, payload) = await ReadServerFrameAsync(connection, cancellationToken);
        Assert.That(opcode, Is.EqualTo(1), "a text frame comes first");
        Assert.That(Encoding.UTF8.GetString(payload), Does.Contain("\"welcome\""));
        return connection;
    }

    /// <summary>A client frame: FIN set, masked (as RFC 6455 requires of clients) unless told otherwise.</summary>
    public static byte[] Frame(int opcode, byte[] payload, bool masked = true, ulong? declaredLength = null)
    {
        var length = declaredLength ?? (ulong)payload.Length;
        using var frame = new MemoryStream();
        frame.WriteByte((byte)(0x80 | opcode));
        var maskBit = masked ? 0x80 : 0;
        if (length < 126)
        {
            frame.WriteByte((byte)(maskBit | (int)length));
        }
        else if (length <= ushort.MaxValue)
        {
            frame.WriteByte((byte)(maskBit | 126));
            var size = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(size, (ushort)length);
            frame.Write(size);
        }
        else
        {
            frame.WriteByte((byte)(maskBit | 127));
            var size = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(size, length);
            frame.Write(size);
        }

        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        if (masked)
        {
            frame.Write(mask);
        }

        for (var i = 0; i < payload.Length; i++)
        {
            frame.WriteByte(masked ? (byte)(payload[i] ^ mask[i % 4]) : payload[i]);
        }

        return frame.ToArray();
    }

    /// <summary>Reads one unmasked server frame (payloads under 64 KiB): its opcode and payload; opcode −1 if the connection ended.</summary>
    public static async Task<(int Opcode, byte[] Payload)> ReadServerFrameAsync(RawConnection connection, CancellationToken cancellationToken)
    {
        var head = await connection.ReadAsync(2, cancellationToken);
        if (head.Length < 2)
        {
            return (-1, []);
        }

        var length = head[1] & 0x7F;
        if (length == 126)
        {
            var size = await connection.ReadAsync(2, cancellationToken);
            length = BinaryPrimitives.ReadUInt16BigEndian(size);
        }

        return (head[0] & 0x0F, await connection.ReadAsync(length, cancellationToken));
    }

    /// <summary>
    /// Reads server frames until a close frame or the end of the connection: the close code, or 1006 when
    /// the connection ended without one.
    /// </summary>
    public static async Task<int> ReadCloseCodeAsync(RawConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (opcode, payload) = await ReadServerFrameAsync(connection, cancellationToken);
            switch (opcode)
            {
                case -1:
                    return 1006;
                case 8:
                    return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
            }
        }
    }
}
