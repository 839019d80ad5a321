using System.Text.Json;
using System.Text.Unicode;
using Situk.Contracts;

namespace Situk.Broker.Devices;

/// <summary>
/// Checks one inbound device text message: valid UTF-8, JSON, an <c>ack</c> frame with ids, not too many.
/// Anything else is answered with the close code of the <c>situk.v1</c> protocol.
/// </summary>
internal static class InboundFrame
{
    /// <summary>The acked ids, or null with the close code and reason to close with.</summary>
    public static (long[]? Ids, int Code, string Reason) ParseAck(ReadOnlySpan<byte> message, int maxIds)
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

        if (frame is not AckFrame { Ids: { } ids })
        {
            return (null, CloseCodes.PolicyViolation, "only ack frames are accepted");
        }

        if (ids.Length > maxIds)
        {
            return (null, CloseCodes.PolicyViolation, "too many ids in one ack");
        }

        return (ids, 0, "");
    }
}
