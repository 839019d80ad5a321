using System.Buffers;
using System.Buffers.Text;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

/// <summary>
/// The <see cref="ClusterHeaders"/> of one message, read straight from the NATS header block
/// (<c>NATS/1.0\r\nName: value\r\n…\r\n\r\n</c>) without building a dictionary: the broker reads them for every
/// message it routes, and needs four.
/// </summary>
internal readonly record struct ClusterHeaderValues(bool IsRead, long Id, Priority Priority, string? ExceptSession)
{
    public static ClusterHeaderValues Parse(in ReadOnlySequence<byte>? headers)
    {
        if (headers is not { } block)
        {
            return default;
        }

        var span = block.IsSingleSegment ? block.FirstSpan : block.ToArray();
        bool isRead = false;
        long id = 0;
        var priority = Priority.Normal;
        string? except = null;
        var first = true;
        while (span.Length > 0)
        {
            var end = span.IndexOf("\r\n"u8);
            var line = end < 0 ? span : span[..end];
            span = end < 0 ? default : span[(end + 2)..];
            if (first)
            {
                first = false; // the status line
                continue;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Is(name, ClusterHeaders.Kind))
            {
                isRead = value.SequenceEqual("read"u8);
            }
            else if (Is(name, ClusterHeaders.Id))
            {
                Utf8Parser.TryParse(value, out id, out _);
            }
            else if (Is(name, ClusterHeaders.Priority))
            {
                priority = value.SequenceEqual("high"u8) ? Priority.High : Priority.Normal;
            }
            else if (Is(name, ClusterHeaders.ExceptSession) && value.Length is > 0 and <= 100)
            {
                except = System.Text.Encoding.ASCII.GetString(value);
            }
        }

        return new ClusterHeaderValues(isRead, id, priority, except);
    }

    private static bool Is(ReadOnlySpan<byte> name, string expected)
    {
        if (name.Length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (char.ToLowerInvariant((char)name[i]) != char.ToLowerInvariant(expected[i]))
            {
                return false;
            }
        }

        return true;
    }
}
