using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Registrations;

/// <summary>Body of <c>POST /registrations</c>: the asesi picks a schedule and fills APL-01.</summary>
public sealed record RegisterRequest(
    [Range(1, long.MaxValue)] long ScheduleId,
    [Required] Apl01 Apl01);

/// <summary>
/// APL-01, the application form: who the applicant is, their background, why they seek
/// certification, and the evidence they attach (names and references to documents).
/// </summary>
public sealed record Apl01(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, StringLength(32, MinimumLength = 1)] string IdentityNumber,
    [Required] DateOnly? BirthDate,
    [Required, StringLength(500, MinimumLength = 1)] string Address,
    [Required, StringLength(100, MinimumLength = 1)] string Education,
    [StringLength(100)] string? BirthPlace = null,
    [StringLength(40)] string? Phone = null,
    [StringLength(200)] string? Institution = null,
    [StringLength(200)] string? Occupation = null,
    [StringLength(500)] string? Purpose = null,
    [MaxLength(20)] List<EvidenceRef>? Evidence = null);

/// <summary>One document attached to APL-01: what it is and where it can be found.</summary>
public sealed record EvidenceRef(
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [Required, StringLength(1000, MinimumLength = 1)] string Reference);

/// <summary>Body of <c>POST /registrations/{id}/verification</c>.</summary>
public sealed record VerificationRequest([Required] bool? Approved, [StringLength(2000)] string? Note = null);

/// <summary>Body of <c>POST /registrations/{id}/assignment</c>.</summary>
public sealed record AssignmentRequest([Range(1, long.MaxValue)] long AsesorId);

/// <summary>Body of <c>PUT /registrations/{id}/apl02</c>: one answer for every criterion of the scheme.</summary>
public sealed record Apl02Request([Required, MinLength(1), MaxLength(5000)] List<Apl02Answer> Answers);

public sealed record Apl02Answer(
    [Range(1, long.MaxValue)] long CriterionId,
    [Required] bool? Competent,
    [StringLength(2000)] string? Evidence = null);

/// <summary>Body of <c>POST /registrations/{id}/assessment</c>.</summary>
public sealed record AssessmentRequest([Required] DateTimeOffset? ScheduledAt);

/// <summary>A moved assessment: the new date and the one it replaced.</summary>
public sealed record AssessmentDto(long Id, string Status, DateTimeOffset AssessmentAt, DateTimeOffset PreviousAssessmentAt);

/// <summary>Body of <c>PUT /registrations/{id}/records</c>: the observation checklist and portfolio evaluation.</summary>
public sealed record RecordsRequest(
    [Required, MaxLength(5000)] List<RecordEntry> Observation,
    [Required, MaxLength(5000)] List<RecordEntry> Portfolio,
    [StringLength(4000)] string? Notes = null);

public sealed record RecordEntry(
    [Range(1, long.MaxValue)] long CriterionId,
    [Required] bool? Competent,
    [StringLength(2000)] string? Note = null);

/// <summary>Body of <c>POST /registrations/{id}/verdict</c>.</summary>
public sealed record VerdictRequest([Required] bool? Competent, [StringLength(2000)] string? Note = null);

/// <summary>Where a registration stands after a step.</summary>
public sealed record RegistrationStatusDto(long Id, string Status);

public sealed record Apl02AnswerDto(long CriterionId, bool Competent, string? Evidence);

public sealed record RecordDto(long CriterionId, bool Competent, string? Note);

public sealed record RecordsDto(IReadOnlyList<RecordDto> Observation, IReadOnlyList<RecordDto> Portfolio, string? Notes);

/// <summary>A registration with everything recorded about it.</summary>
public sealed record RegistrationDto(
    long Id,
    long ScheduleId,
    long SchemeId,
    long AsesiId,
    string AsesiName,
    string Status,
    Apl01 Apl01,
    string? VerificationNote,
    long? AsesorId,
    string? AsesorName,
    DateTimeOffset? AssessmentAt,
    IReadOnlyList<Apl02AnswerDto> Apl02,
    RecordsDto Records,
    string? Verdict,
    string? VerdictNote,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? CertificateNumber = null);

/// <summary>One line of <c>GET /registrations</c>.</summary>
public sealed record RegistrationSummaryDto(
    long Id, long ScheduleId, long AsesiId, string AsesiName, string Status, long? AsesorId, DateTimeOffset? AssessmentAt, DateTimeOffset CreatedAt);

/// <summary>A page of <c>GET /registrations</c>; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record RegistrationPage(RegistrationSummaryDto[] Items, long? Next);

/// <summary>One line of <c>GET /me/assessments</c>: an assessment the asesor holds, and where.</summary>
public sealed record MyAssessmentDto(
    long RegistrationId, DateTimeOffset AssessmentAt, string Status, long AsesiId, string CandidateName,
    long SchemeId, string SchemeName, long ScheduleId, long PlaceId, string PlaceName, string PlaceAddress);

/// <summary>The answer of <c>GET /me/assessments</c>: the range it covers and its assessments in time order.</summary>
public sealed record MyAssessmentsDto(DateTimeOffset From, DateTimeOffset To, MyAssessmentDto[] Items);
