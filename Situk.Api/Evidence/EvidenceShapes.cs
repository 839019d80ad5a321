using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Evidence;

/// <summary>What a file is: the <c>kind</c> form field.</summary>
public static class EvidenceKinds
{
    public const string IdentityCard = "identity_card";
    public const string Diploma = "diploma";
    public const string Photo = "photo";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [IdentityCard, Diploma, Photo, Other];
}

/// <summary>Which form a file belongs to: the <c>purpose</c> form field.</summary>
public static class EvidencePurposes
{
    /// <summary>An APL-01 attachment, uploaded while the registration is <c>submitted</c>.</summary>
    public const string Apl01 = "apl01";

    /// <summary>APL-02 evidence, uploaded while the registration is <c>assigned</c> (before APL-02 is submitted).</summary>
    public const string Apl02 = "apl02";

    public static readonly IReadOnlyList<string> All = [Apl01, Apl02];
}

/// <summary>The review state of a file: <c>pending</c> until an admin or asesor accepts or rejects it.</summary>
public static class EvidenceReviews
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
}

/// <summary>Body of <c>POST /registrations/{id}/documents/{docId}/review</c>; a rejection needs a note saying what to fix.</summary>
public sealed record DocumentReviewRequest([Required] bool? Accepted, [StringLength(2000)] string? Note = null);

/// <summary>One stored file, without its bytes (those are at <c>…/documents/{docId}/content</c>).</summary>
public sealed record DocumentDto(
    long Id,
    long RegistrationId,
    string Kind,
    string Purpose,
    long? CriterionId,
    string FileName,
    string ContentType,
    long Size,
    string Sha256,
    DateTimeOffset UploadedAt,
    string Review,
    string? ReviewNote,
    long? ReviewedBy,
    DateTimeOffset? ReviewedAt);

/// <summary>The answer of <c>GET /registrations/{id}/documents</c>: the files, and how much room is left.</summary>
public sealed record DocumentListDto(
    IReadOnlyList<DocumentDto> Items, long TotalBytes, long MaxFileBytes, long MaxRegistrationBytes, int MaxFiles);
