using System.Buffers.Binary;

namespace Situk.Broker.Sockets;

/// <summary>
/// Whole WebSocket text frames as one array: the header a server writes (final fragment, opcode text,
/// unmasked — RFC 6455 §5.1: a server never masks) followed by the payload. A notification is framed once
/// by <see cref="Fanout.Publisher"/> and the same array is written to every recipient, so no socket builds
/// a header or copies the payload per delivery.
/// </summary>
internal static class TextFrames
{
    /// <summary>FIN + opcode 1 (text).</summary>
    private const byte FinalText = 0x81;

    /// <summary>The header's length for a payload of <paramref name="payloadLength"/> bytes: 2, 4 or 10.</summary>
    public static int HeaderLength(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>A frame holding <paramref name="payload"/> (UTF-8 text, one whole message).</summary>
    public static OutboundFrame Frame(ReadOnlySpan<byte> payload, long notificationId = 0, Contracts.Priority priority = Contracts.Priority.High)
    {
        var header = HeaderLength(payload.Length);
        var bytes = new byte[header + payload.Length];
        bytes[0] = FinalText;
        switch (header)
        {
            case 2:
                bytes[1] = (byte)payload.Length;
                break;
            case 4:
                bytes[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                bytes[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), (ulong)payload.Length);
                break;
        }

        payload.CopyTo(bytes.AsSpan(header));
        return new OutboundFrame(bytes, notificationId, priority, header);
    }
}
