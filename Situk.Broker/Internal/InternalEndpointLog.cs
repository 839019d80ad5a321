using System.Net;
using Microsoft.Extensions.Logging;

namespace Situk.Broker.Internal;

/// <summary>Internal socket log lines (never the key).</summary>
internal static partial class InternalEndpointLog
{
    [LoggerMessage(20, LogLevel.Warning, "Internal socket refused with {Status}: {Reason} (from {RemoteAddress})")]
    public static partial void Refused(ILogger logger, int status, string reason, IPAddress? remoteAddress);

    [LoggerMessage(21, LogLevel.Information, "API link {LinkId} opened from {RemoteAddress}; {Users} users online")]
    public static partial void Opened(ILogger logger, string linkId, IPAddress? remoteAddress, int users);

    [LoggerMessage(22, LogLevel.Information, "API link {LinkId} closed with {CloseCode}: {CloseReason}, {FramesSent} frames sent")]
    public static partial void Closed(ILogger logger, string linkId, int closeCode, string closeReason, long framesSent);

    [LoggerMessage(23, LogLevel.Warning, "API link {LinkId} published ref {Ref} with a bad audience or notification: {Problem}")]
    public static partial void BadPublish(ILogger logger, string linkId, long @ref, string problem);
}
