namespace Situk.Api.Registrations;

/// <summary>
/// The registration state machine (docs/API.md): <c>submitted</c> → <c>verified</c> | <c>rejected</c>;
/// <c>verified</c> → <c>assigned</c> → <c>apl02_submitted</c> → <c>eligible</c> | <c>not_yet_competent</c>;
/// <c>eligible</c> → <c>scheduled</c> → <c>competent</c> | <c>not_yet_competent</c>.
/// The same list is the CHECK on <c>registrations.status</c>.
/// </summary>
public static class RegistrationStatus
{
    public const string Submitted = "submitted";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public const string Assigned = "assigned";
    public const string Apl02Submitted = "apl02_submitted";
    public const string Eligible = "eligible";
    public const string NotYetCompetent = "not_yet_competent";
    public const string Scheduled = "scheduled";
    public const string Competent = "competent";

    public static readonly IReadOnlyList<string> All =
        [Submitted, Verified, Rejected, Assigned, Apl02Submitted, Eligible, NotYetCompetent, Scheduled, Competent];

    public static bool IsKnown(string? status) => status is not null && All.Contains(status, StringComparer.Ordinal);
}
