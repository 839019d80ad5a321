using System.Globalization;
using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Registrations;

/// <summary>
/// The words of every notification a registration step causes, and who receives it (docs/API.md,
/// "Notification kinds"). Each links to the registration and carries its id and new status.
/// </summary>
public static class RegistrationNotices
{
    public static IEnumerable<NewNotification> Submitted(RegistrationStore.Locked r, IEnumerable<long> adminIds)
    {
        yield return Notice(r, r.AsesiId, NotificationKinds.RegistrationSubmitted, RegistrationStatus.Submitted,
            "Registration received",
            $"Your registration for {r.SchemeName} was received. Your APL-01 will now be verified.");
        foreach (var admin in adminIds)
        {
            // Admins get the push; the email of this kind goes to the asesi only.
            yield return Notice(r, admin, NotificationKinds.RegistrationSubmitted, RegistrationStatus.Submitted,
                "New registration",
                $"{r.AsesiName} registered for {r.SchemeName}; the APL-01 awaits verification.") with { Email = false };
        }
    }

    public static NewNotification Verified(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.RegistrationVerified, RegistrationStatus.Verified,
            "APL-01 verified", $"Your APL-01 for {r.SchemeName} was verified. An asesor will be assigned to you.");

    public static NewNotification Rejected(RegistrationStore.Locked r, string? note) =>
        Notice(r, r.AsesiId, NotificationKinds.RegistrationRejected, RegistrationStatus.Rejected,
            "Registration rejected", $"Your APL-01 for {r.SchemeName} was not accepted.{Suffix(note)}");

    /// <summary>To every admin, pushed only: the seat is free again and the registration leaves their queue.</summary>
    public static IEnumerable<NewNotification> Withdrawn(RegistrationStore.Locked r, IEnumerable<long> adminIds) =>
        adminIds.Select(admin => Notice(r, admin, NotificationKinds.RegistrationWithdrawn, RegistrationStatus.Withdrawn,
            "Registration withdrawn",
            $"{r.AsesiName} withdrew their registration for {r.SchemeName}; the seat on schedule {r.ScheduleId} is free again."));

    public static IEnumerable<NewNotification> Assigned(RegistrationStore.Locked r, long asesorId, string asesorName) =>
    [
        Notice(r, r.AsesiId, NotificationKinds.AssessmentAssigned, RegistrationStatus.Assigned,
            "Asesor assigned", $"{asesorName} is your asesor for {r.SchemeName}. Please fill in APL-02, the self-assessment."),
        Notice(r, asesorId, NotificationKinds.AssessmentAssigned, RegistrationStatus.Assigned,
            "New asesi assigned", $"You are the asesor of {r.AsesiName} for {r.SchemeName}."),
    ];

    public static NewNotification Apl02Submitted(RegistrationStore.Locked r) =>
        Notice(r, r.AsesorId!.Value, NotificationKinds.Apl02Submitted, RegistrationStatus.Apl02Submitted,
            "APL-02 submitted", $"{r.AsesiName} submitted APL-02 for {r.SchemeName}; it awaits your review.");

    public static NewNotification Eligible(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentEligible, RegistrationStatus.Eligible,
            "Ready for assessment", $"Your APL-02 for {r.SchemeName} was reviewed; you may proceed to the assessment.");

    public static NewNotification NotYetCompetentBySelfAssessment(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.VerdictNotYetCompetent, RegistrationStatus.NotYetCompetent,
            "Not yet competent",
            $"Your APL-02 for {r.SchemeName} marks at least one criterion as not yet competent, so you are declared not yet competent. Training is advised before you register again.");

    public static NewNotification Scheduled(RegistrationStore.Locked r, DateTimeOffset at) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentScheduled, RegistrationStatus.Scheduled,
            "Assessment scheduled",
            $"Your assessment for {r.SchemeName} is on {When(at)}.");

    /// <summary>To the asesi, pushed and emailed (the kind's table entry): both times, so the old plan can be undone.</summary>
    public static NewNotification Rescheduled(RegistrationStore.Locked r, DateTimeOffset from, DateTimeOffset to) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentRescheduled, RegistrationStatus.Scheduled,
            "Assessment moved",
            $"Your assessment for {r.SchemeName} was moved from {When(from)} to {When(to)}.");

    public static NewNotification Verdict(RegistrationStore.Locked r, bool competent, string? note) => competent
        ? Notice(r, r.AsesiId, NotificationKinds.VerdictCompetent, RegistrationStatus.Competent,
            "Declared competent", $"Congratulations: you are declared competent in {r.SchemeName}.{Suffix(note)}")
        : Notice(r, r.AsesiId, NotificationKinds.VerdictNotYetCompetent, RegistrationStatus.NotYetCompetent,
            "Not yet competent", $"You are declared not yet competent in {r.SchemeName}.{Suffix(note)}");

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string Suffix(string? note) => string.IsNullOrWhiteSpace(note) ? "" : $" Note: {note.Trim()}";

    private static NewNotification Notice(RegistrationStore.Locked r, long userId, string kind, string status, string title, string body) =>
        new(userId, kind, title, body, $"/registrations/{r.Id}", new JsonObject { ["registrationId"] = r.Id, ["status"] = status });
}
