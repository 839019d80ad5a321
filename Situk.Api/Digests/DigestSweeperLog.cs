namespace Situk.Api.Digests;

internal sealed partial class DigestSweeper
{
    [LoggerMessage(EventId = 585, Level = LogLevel.Information, Message = "Digests: {Count} written for {People} person(s)")]
    private static partial void LogDigestsWritten(ILogger logger, int count, int people);

    [LoggerMessage(EventId = 586, Level = LogLevel.Warning, Message = "Digest sweep failed, will retry: {Error}")]
    private static partial void LogSweepFailed(ILogger logger, string error);
}
