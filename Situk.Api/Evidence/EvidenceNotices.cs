using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Api.Registrations;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Evidence;

/// <summary>The notification about evidence files and the values its texts name (docs/notifications.md).</summary>
public static class EvidenceNotices
{
    /// <summary>To the asesi, pushed and emailed (the kind's table entry): which file, why, and what to do.</summary>
    public static NewNotification Rejected(RegistrationStore.Locked r, DocumentDto document, string note) =>
        NewNotification.FromTexts(
            r.AsesiId,
            NotificationKinds.DocumentRejected,
            "document.rejected",
            new Dictionary<string, object?>
            {
                ["documentKind"] = new TextKey(KindText(document.Kind)),
                ["fileName"] = document.FileName,
                ["schemeName"] = r.SchemeName,
                ["note"] = note.Trim(),
            },
            $"/registrations/{r.Id}",
            new JsonObject { ["registrationId"] = r.Id, ["documentId"] = document.Id, ["kind"] = document.Kind, ["status"] = r.Status });

    /// <summary>The text naming a document kind in the reader's language ("KTP", "identity card (KTP)").</summary>
    public static string KindText(string kind) => kind switch
    {
        EvidenceKinds.IdentityCard or EvidenceKinds.Diploma or EvidenceKinds.Photo => "document.kind." + kind,
        _ => "document.kind.other",
    };
}
