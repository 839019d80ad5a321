using System.Text.Json;
using Situk.Contracts;

namespace Situk.Broker.Devices;

/// <summary>
/// The ack frame as every client sends it, read without the serializer: <c>{"type":"ack","ids":[…]}</c> with an
/// optional <c>"delays":[…]</c>, in that order, plain numbers, no escapes, nothing else. Anything else, however valid, is left to
/// the serializer (<see cref="InboundFrame"/>), so this path accepts nothing it would refuse and reads nothing
/// differently. It is the frame a device sends most, once per notification or per window; the polymorphic
/// serializer spent about 3 µs on each, this about a tenth of that.
/// </summary>
internal static class AckFrameReader
{
    /// <summary>The ack frame, or null when <paramref name="message"/> is not in the exact common shape (then ask the serializer).</summary>
    public static AckFrame? TryRead(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !NextIs(ref reader, "type"u8) || !reader.Read() || reader.TokenType != JsonTokenType.String || !Is(ref reader, "ack"u8)
                || !NextIs(ref reader, "ids"u8))
            {
                return null;
            }

            var ids = Longs(ref reader);
            if (ids is null || !reader.Read())
            {
                return null;
            }

            int[]? delays = null;
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!Is(ref reader, "delays"u8) || (delays = Ints(ref reader)) is null || !reader.Read())
                {
                    return null;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? new AckFrame(ids, delays) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool NextIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName && Is(ref reader, name);

    /// <summary>The name or string just read is exactly <paramref name="text"/>, unescaped: an escape (a lone surrogate, say) is the serializer's to judge.</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> text) => !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(text);

    private delegate bool TryGet<T>(ref Utf8JsonReader reader, out T value);

    private static long[]? Longs(ref Utf8JsonReader reader) =>
        Numbers(ref reader, static (ref Utf8JsonReader r, out long value) => r.TryGetInt64(out value));

    private static int[]? Ints(ref Utf8JsonReader reader) =>
        Numbers(ref reader, static (ref Utf8JsonReader r, out int value) => r.TryGetInt32(out value));

    /// <summary>The array after the property just read: counted on a copy of the reader, then read into an array of that size.</summary>
    private static T[]? Numbers<T>(ref Utf8JsonReader reader, TryGet<T> get)
    {
        var count = Count(reader);
        if (count < 0)
        {
            return null;
        }

        var values = new T[count];
        reader.Read();
        for (var i = 0; i < values.Length; i++)
        {
            reader.Read();
            if (!get(ref reader, out values[i]))
            {
                return null;
            }
        }

        reader.Read();
        return values;
    }

    /// <summary>How many numbers the array after the current property holds; −1 if it is not an array of numbers.</summary>
    private static int Count(Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return -1;
        }

        var count = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return count;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                return -1;
            }

            count++;
        }

        return -1;
    }
}
