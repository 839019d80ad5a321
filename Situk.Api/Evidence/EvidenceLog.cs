namespace Situk.Api.Evidence;

/// <summary>The evidence routes' log lines (source-generated; never the file's name or bytes, which are personal data).</summary>
internal static partial class EvidenceLog
{
    public const string Category = "Situk.Api.Evidence";

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Stored file {DocumentId} on registration {RegistrationId}: {Bytes} bytes of {ContentType}")]
    public static partial void Stored(ILogger logger, long documentId, long registrationId, long bytes, string contentType);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Refused an upload to registration {RegistrationId} with {Status}")]
    public static partial void Refused(ILogger logger, long registrationId, int? status);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "File {DocumentId} on registration {RegistrationId} reviewed: {Review}")]
    public static partial void Reviewed(ILogger logger, long documentId, long registrationId, string review);
}
