using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Registrations;

/// <summary>
/// Every notification a registration step causes, who receives it, and the values its texts name
/// (<c>Texts/notifications.*.json</c>; docs/notifications.md). Each links to the registration and
/// carries its id and new status.
/// </summary>
public static class RegistrationNotices
{
    public static IEnumerable<NewNotification> Submitted(RegistrationStore.Locked r, IEnumerable<long> adminIds)
    {
        yield return Notice(r, r.AsesiId, NotificationKinds.RegistrationSubmitted, RegistrationStatus.Submitted, "registration.submitted",
            Values(("schemeName", r.SchemeName)));
        foreach (var admin in adminIds)
        {
            // Admins get the push; the email of this kind goes to the asesi only.
            yield return Notice(r, admin, NotificationKinds.RegistrationSubmitted, RegistrationStatus.Submitted, "registration.submitted.admin",
                Values(("asesiName", r.AsesiName), ("schemeName", r.SchemeName), ("placeName", r.PlaceName))) with { Email = false };
        }
    }

    public static NewNotification Verified(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.RegistrationVerified, RegistrationStatus.Verified, "registration.verified",
            Values(("schemeName", r.SchemeName)));

    public static NewNotification Rejected(RegistrationStore.Locked r, string? note) =>
        Notice(r, r.AsesiId, NotificationKinds.RegistrationRejected, RegistrationStatus.Rejected, WithNote("registration.rejected", note),
            Values(("schemeName", r.SchemeName), ("note", Note(note))));

    /// <summary>To every admin, pushed only: the seat is free again and the registration leaves their queue.</summary>
    public static IEnumerable<NewNotification> Withdrawn(RegistrationStore.Locked r, IEnumerable<long> adminIds) =>
        adminIds.Select(admin => Notice(r, admin, NotificationKinds.RegistrationWithdrawn, RegistrationStatus.Withdrawn, "registration.withdrawn",
            Values(("asesiName", r.AsesiName), ("schemeName", r.SchemeName), ("scheduleId", r.ScheduleId), ("placeName", r.PlaceName))));

    public static IEnumerable<NewNotification> Assigned(RegistrationStore.Locked r, long asesorId, string asesorName) =>
    [
        Notice(r, r.AsesiId, NotificationKinds.AssessmentAssigned, RegistrationStatus.Assigned, "assessment.assigned",
            Values(("asesorName", asesorName), ("schemeName", r.SchemeName))),
        Notice(r, asesorId, NotificationKinds.AssessmentAssigned, RegistrationStatus.Assigned, "assessment.assigned.asesor",
            Values(("asesiName", r.AsesiName), ("schemeName", r.SchemeName))),
    ];

    public static NewNotification Apl02Submitted(RegistrationStore.Locked r) =>
        Notice(r, r.AsesorId!.Value, NotificationKinds.Apl02Submitted, RegistrationStatus.Apl02Submitted, "apl02.submitted",
            Values(("asesiName", r.AsesiName), ("schemeName", r.SchemeName)));

    public static NewNotification Eligible(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentEligible, RegistrationStatus.Eligible, "assessment.eligible",
            Values(("schemeName", r.SchemeName), ("asesorName", r.AsesorName)));

    public static NewNotification NotYetCompetentBySelfAssessment(RegistrationStore.Locked r) =>
        Notice(r, r.AsesiId, NotificationKinds.VerdictNotYetCompetent, RegistrationStatus.NotYetCompetent, "verdict.not_yet_competent.self",
            Values(("schemeName", r.SchemeName)));

    /// <summary>The time in the asesi's zone, and where: the TUK's name and address, and who assesses.</summary>
    public static NewNotification Scheduled(RegistrationStore.Locked r, DateTimeOffset at) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentScheduled, RegistrationStatus.Scheduled, "assessment.scheduled",
            Values(("schemeName", r.SchemeName), ("at", at), ("placeName", r.PlaceName), ("placeAddress", r.PlaceAddress), ("asesorName", r.AsesorName)));

    /// <summary>To the asesi, pushed and emailed (the kind's table entry): both times, so the old plan can be undone, and the TUK.</summary>
    public static NewNotification Rescheduled(RegistrationStore.Locked r, DateTimeOffset from, DateTimeOffset to) =>
        Notice(r, r.AsesiId, NotificationKinds.AssessmentRescheduled, RegistrationStatus.Scheduled, "assessment.rescheduled",
            Values(("schemeName", r.SchemeName), ("from", from), ("to", to), ("placeName", r.PlaceName), ("placeAddress", r.PlaceAddress),
                ("asesorName", r.AsesorName)));

    public static NewNotification Verdict(RegistrationStore.Locked r, bool competent, string? note) => competent
        ? Notice(r, r.AsesiId, NotificationKinds.VerdictCompetent, RegistrationStatus.Competent, WithNote("verdict.competent", note),
            Values(("schemeName", r.SchemeName), ("note", Note(note))))
        : Notice(r, r.AsesiId, NotificationKinds.VerdictNotYetCompetent, RegistrationStatus.NotYetCompetent, WithNote("verdict.not_yet_competent", note),
            Values(("schemeName", r.SchemeName), ("note", Note(note))));

    /// <summary>The body with the note (<c>….body.note</c>) when there is one; a blank note is no note.</summary>
    private static (string Key, bool Note) WithNote(string key, string? note) => (key, Note(note) is not null);

    private static string? Note(string? note) => string.IsNullOrWhiteSpace(note) ? null : note.Trim();

    /// <summary>The named values; a null one (no note) is left out, so its text must not name it.</summary>
    private static Dictionary<string, object?> Values(params (string Name, object? Value)[] values) =>
        values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    private static NewNotification Notice(RegistrationStore.Locked r, long userId, string kind, string status, string key, Dictionary<string, object?> values) =>
        Notice(r, userId, kind, status, (key, false), values);

    private static NewNotification Notice(
        RegistrationStore.Locked r, long userId, string kind, string status, (string Key, bool Note) text, Dictionary<string, object?> values) =>
        new(userId, kind, new NotificationWords.FromTexts(text.Key + ".title", text.Key + (text.Note ? ".body.note" : ".body"), values),
            $"/registrations/{r.Id}", new JsonObject { ["registrationId"] = r.Id, ["status"] = status });
}
