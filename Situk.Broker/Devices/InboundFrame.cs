using System.Text.Json;
using System.Text.Unicode;
using Situk.Contracts;

namespace Situk.Broker.Devices;

/// <summary>
/// Checks one inbound device text message: valid UTF-8, JSON, an <c>ack</c> or <c>read</c> frame with ids (not
/// too many; an ack's delays, if any, one per id and none negative), or a <c>token</c> frame (its token is checked by the receive loop, which answers for it).
/// Anything else is answered with the close code of the <c>situk.v1</c> protocol.
/// </summary>
internal static class InboundFrame
{
    /// <summary>The ack, read or token frame, or null with the close code and reason to close with.</summary>
    public static (DeviceFrame? Frame, int Code, string Reason) Parse(ReadOnlySpan<byte> message, int maxIds)
    {
        if (!Utf8.IsValid(message))
        {
            return (null, CloseCodes.InvalidPayload, "invalid UTF-8");
        }

        DeviceFrame? frame = AckFrameReader.TryRead(message);
        if (frame is null)
        {
            try
            {
                frame = JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                return (null, CloseCodes.PolicyViolation, "malformed or unknown frame");
            }
        }

        if (frame is TokenFrame)
        {
            return (frame, 0, "");
        }

        var ids = frame switch
        {
            AckFrame ack => ack.Ids,
            ReadFrame read => read.Ids,
            _ => null,
        };
        if (ids is null)
        {
            return (null, CloseCodes.PolicyViolation, "only ack, read and token frames are accepted");
        }

        if (ids.Length > maxIds)
        {
            return (null, CloseCodes.PolicyViolation, "too many ids in one frame");
        }

        // Delays are the device's own monotonic durations: one per id, never negative. A large one is no breach (a
        // paused app's flush timer fires late); Session.Acked keeps it from dating a receipt before the write.
        if (frame is AckFrame { Delays: { } delays })
        {
            if (delays.Length != ids.Length)
            {
                return (null, CloseCodes.PolicyViolation, "ack delays do not match ids");
            }

            if (delays.AsSpan().IndexOfAnyInRange(int.MinValue, -1) >= 0)
            {
                return (null, CloseCodes.PolicyViolation, "negative ack delay");
            }
        }

        return (frame, 0, "");
    }
}
