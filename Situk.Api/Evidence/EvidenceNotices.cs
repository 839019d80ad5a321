using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Api.Registrations;
using Situk.Contracts;

namespace Situk.Api.Evidence;

/// <summary>The words of the notifications about evidence files (docs/API.md, "Notification kinds").</summary>
public static class EvidenceNotices
{
    /// <summary>To the asesi, pushed and emailed (the kind's table entry): which file, why, and what to do.</summary>
    public static NewNotification Rejected(RegistrationStore.Locked r, DocumentDto document, string note) =>
        new(
            r.AsesiId,
            NotificationKinds.DocumentRejected,
            "Document rejected",
            $"Your {EvidenceKinds.Label(document.Kind)} ({document.FileName}) for {r.SchemeName} was not accepted. Note: {note.Trim()} "
                + "Please upload a replacement.",
            $"/registrations/{r.Id}",
            new JsonObject { ["registrationId"] = r.Id, ["documentId"] = document.Id, ["kind"] = document.Kind, ["status"] = r.Status });
}
