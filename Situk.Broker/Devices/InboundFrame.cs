using System.Text.Json;
using System.Text.Unicode;
using Situk.Contracts;

namespace Situk.Broker.Devices;

/// <summary>
/// Checks one inbound device text message: valid UTF-8, JSON, an <c>ack</c> or <c>read</c> frame with ids (not
/// too many), or a <c>token</c> frame (its token is checked by the receive loop, which answers for it).
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

        DeviceFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return (null, CloseCodes.PolicyViolation, "malformed or unknown frame");
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

        return (frame, 0, "");
    }
}
