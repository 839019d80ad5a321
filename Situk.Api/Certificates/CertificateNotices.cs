using System.Globalization;
using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Certificates;

/// <summary>
/// The words of the three certificate notifications, all to the holder, pushed and emailed
/// (docs/API.md, "Notification kinds"). Each links to the certificate's public check and carries its number.
/// </summary>
public static class CertificateNotices
{
    public static NewNotification Issued(long holderId, long registrationId, string number, string schemeName, DateTimeOffset expiresAt) =>
        Notice(holderId, NotificationKinds.CertificateIssued, number, registrationId, "Certificate issued",
            $"Your certificate {number} for {schemeName} was issued. It is valid until {Day(expiresAt)}.");

    public static NewNotification Revoked(long holderId, long registrationId, string number, string schemeName, string reason) =>
        Notice(holderId, NotificationKinds.CertificateRevoked, number, registrationId, "Certificate revoked",
            $"Your certificate {number} for {schemeName} was revoked and is no longer valid. Reason: {reason}");

    public static NewNotification Expiring(long holderId, long registrationId, string number, string schemeName, DateTimeOffset expiresAt) =>
        Notice(holderId, NotificationKinds.CertificateExpiring, number, registrationId, "Certificate expiring",
            $"Your certificate {number} for {schemeName} expires on {Day(expiresAt)}. Register for re-certification in time to stay certified.");

    /// <summary>The site-relative public check of a certificate; its number's slashes travel as <c>%2F</c>.</summary>
    public static string CheckPath(string number) => "/api/v1/certificates/" + Uri.EscapeDataString(number);

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static NewNotification Notice(long holderId, string kind, string number, long registrationId, string title, string body) =>
        new(holderId, kind, title, body, CheckPath(number), new JsonObject { ["certificateNumber"] = number, ["registrationId"] = registrationId });
}
