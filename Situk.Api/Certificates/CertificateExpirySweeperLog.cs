namespace Situk.Api.Certificates;

public sealed partial class CertificateExpirySweeper
{
    [LoggerMessage(EventId = 560, Level = LogLevel.Information, Message = "Certificate expiry sweep told {Count} holder(s) their certificate expires soon")]
    private static partial void LogNotified(ILogger logger, int count);

    [LoggerMessage(EventId = 561, Level = LogLevel.Warning, Message = "Certificate expiry sweep failed, will retry next interval: {Error}")]
    private static partial void LogSweepFailed(ILogger logger, string error);
}
