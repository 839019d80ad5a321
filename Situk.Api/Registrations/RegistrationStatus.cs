namespace Situk.Api.Registrations;

/// <summary>
/// The registration state machine (docs/API.md): <c>submitted</c> → <c>verified</c> | <c>rejected</c> | <c>withdrawn</c>;
/// <c>verified</c> → <c>assigned</c> | <c>withdrawn</c>; <c>assigned</c> → <c>apl02_submitted</c> → <c>eligible</c> | <c>not_yet_competent</c>;
/// <c>eligible</c> → <c>scheduled</c> → <c>competent</c> | <c>not_yet_competent</c>.
/// The same list is the CHECK on <c>registrations.status</c>. After <c>rejected</c>, <c>withdrawn</c> or
/// <c>not_yet_competent</c> the asesi may register for the scheme again (a new registration).
/// </summary>
public static class RegistrationStatus
{
    public const string Submitted = "submitted";
    public const string Verified = "verified";
    public const string Rejected = "rejected";
    public const string Withdrawn = "withdrawn";
    public const string Assigned = "assigned";
    public const string Apl02Submitted = "apl02_submitted";
    public const string Eligible = "eligible";
    public const string NotYetCompetent = "not_yet_competent";
    public const string Scheduled = "scheduled";
    public const string Competent = "competent";

    public static readonly IReadOnlyList<string> All =
        [Submitted, Verified, Rejected, Withdrawn, Assigned, Apl02Submitted, Eligible, NotYetCompetent, Scheduled, Competent];

    /// <summary>The statuses an asesi may withdraw from: before an asesor is assigned.</summary>
    public static readonly IReadOnlyList<string> Withdrawable = [Submitted, Verified];

    /// <summary>
    /// Holding a seat on the schedule, as SQL over <c>r</c>: every registration but a rejected or withdrawn one
    /// (a finished one used its seat). The same rule is the partial unique index <c>registrations_seat_per_schedule</c>.
    /// </summary>
    public const string HoldsSeatSql = "r.status NOT IN ('rejected', 'withdrawn')";

    /// <summary>
    /// Active for its scheme, as SQL over <c>r</c>: at most one per asesi and scheme (index
    /// <c>registrations_active_per_scheme</c>). <c>competent</c> stays active: the asesi holds that certificate.
    /// </summary>
    public const string ActiveSql = "r.status NOT IN ('rejected', 'withdrawn', 'not_yet_competent')";

    public static bool IsKnown(string? status) => status is not null && All.Contains(status, StringComparer.Ordinal);
}
