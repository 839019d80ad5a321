using System.Globalization;
using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Certificates;

/// <summary>
/// The three certificate notifications, all to the holder, pushed and emailed, and the values their
/// texts name (docs/notifications.md). Each links to the certificate's public check and carries its number.
/// </summary>
public static class CertificateNotices
{
    public static NewNotification Issued(long holderId, long registrationId, string number, string schemeName, DateTimeOffset expiresAt) =>
        Notice(holderId, NotificationKinds.CertificateIssued, number, registrationId, "certificate.issued",
            new() { ["number"] = number, ["schemeName"] = schemeName, ["expiresAt"] = expiresAt });

    public static NewNotification Revoked(long holderId, long registrationId, string number, string schemeName, string reason) =>
        Notice(holderId, NotificationKinds.CertificateRevoked, number, registrationId, "certificate.revoked",
            new() { ["number"] = number, ["schemeName"] = schemeName, ["reason"] = reason });

    public static NewNotification Expiring(long holderId, long registrationId, string number, string schemeName, DateTimeOffset expiresAt) =>
        Notice(holderId, NotificationKinds.CertificateExpiring, number, registrationId, "certificate.expiring",
            new() { ["number"] = number, ["schemeName"] = schemeName, ["expiresAt"] = expiresAt });

    /// <summary>The site-relative public check of a certificate; its number's slashes travel as <c>%2F</c>.</summary>
    public static string CheckPath(string number) => "/api/v1/certificates/" + Uri.EscapeDataString(number);

    /// <summary>A day as the certificate PDF and problem details print it (UTC, ISO); notifications write the reader's own.</summary>
    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static NewNotification Notice(long holderId, string kind, string number, long registrationId, string key, Dictionary<string, object?> values) =>
        NewNotification.FromTexts(holderId, kind, key, values, CheckPath(number), new JsonObject { ["certificateNumber"] = number, ["registrationId"] = registrationId });
}
