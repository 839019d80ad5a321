using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace Situk.Contracts;

/// <summary>How urgently a notification must reach a device; the broker sheds normal ones first.</summary>
public enum Priority
{
    [JsonStringEnumMemberName("normal")]
    Normal = 0,

    [JsonStringEnumMemberName("high")]
    High = 1,
}

/// <summary>What Situk does with one kind of notification.</summary>
/// <param name="Kind">The wire name, e.g. <c>verdict.competent</c>.</param>
/// <param name="Email">Whether it is also sent by email, always.</param>
/// <param name="Priority">Its lane in the broker.</param>
public sealed record KindInfo(string Kind, bool Email, Priority Priority)
{
    /// <summary>The preference group it is switched on and off with (<see cref="NotificationGroups"/>).</summary>
    public string Group => NotificationGroups.Of(Kind);
}

/// <summary>
/// Every notification kind, as an explicit table (no reflection over type names). The table is
/// the one in docs/API.md: change both together.
/// </summary>
public static class NotificationKinds
{
    public const string RegistrationSubmitted = "registration.submitted";
    public const string RegistrationVerified = "registration.verified";
    public const string RegistrationRejected = "registration.rejected";
    public const string RegistrationWithdrawn = "registration.withdrawn";
    public const string AssessmentAssigned = "assessment.assigned";
    public const string Apl02Submitted = "apl02.submitted";
    public const string AssessmentEligible = "assessment.eligible";
    public const string AssessmentScheduled = "assessment.scheduled";
    public const string AssessmentRescheduled = "assessment.rescheduled";
    public const string VerdictCompetent = "verdict.competent";
    public const string VerdictNotYetCompetent = "verdict.not_yet_competent";
    public const string AdminMessage = "admin.message";
    public const string DocumentRejected = "document.rejected";
    public const string CertificateIssued = "certificate.issued";
    public const string CertificateRevoked = "certificate.revoked";
    public const string CertificateExpiring = "certificate.expiring";

    /// <summary>One push and one email that list a person's waiting items of digested kinds (Situk:Digests).</summary>
    public const string Digest = "digest.summary";

    public static readonly FrozenDictionary<string, KindInfo> Table = new KindInfo[]
    {
        new(RegistrationSubmitted, Email: true, Priority.High),
        new(RegistrationVerified, Email: false, Priority.High),
        new(RegistrationRejected, Email: false, Priority.High),

        // To admins: a seat freed and a registration gone from their queue; routine, push only.
        new(RegistrationWithdrawn, Email: false, Priority.Normal),
        new(AssessmentAssigned, Email: false, Priority.Normal),
        new(Apl02Submitted, Email: false, Priority.Normal),
        new(AssessmentEligible, Email: false, Priority.Normal),
        new(AssessmentScheduled, Email: false, Priority.Normal),

        // A moved date can catch the asesi off guard (they may already have planned the trip to the
        // TUK), so it is emailed too, and goes ahead of routine notices.
        new(AssessmentRescheduled, Email: true, Priority.High),
        new(VerdictCompetent, Email: true, Priority.High),
        new(VerdictNotYetCompetent, Email: true, Priority.High),
        new(AdminMessage, Email: false, Priority.Normal),

        // A rejected APL-01 document holds the whole registration until the asesi uploads a better one,
        // so it is emailed too and goes ahead of routine notices.
        new(DocumentRejected, Email: true, Priority.High),

        // A certificate is a document people keep: its issue, its revocation and its coming expiry are
        // emailed too, so the holder has them on record outside the app.
        new(CertificateIssued, Email: true, Priority.High),
        new(CertificateRevoked, Email: true, Priority.High),
        new(CertificateExpiring, Email: true, Priority.Normal),

        // Carries the items of digested kinds (each kept in the inbox on its own, without its own push
        // or email): one push and one email listing them, so a busy day is one message, not one per item.
        new(Digest, Email: true, Priority.Normal),
    }.ToFrozenDictionary(k => k.Kind, StringComparer.Ordinal);

    public static bool IsKnown(string kind) => Table.ContainsKey(kind);
}
