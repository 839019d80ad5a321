using System.Net;

namespace Situk.Api.Notifications;

/// <summary>The email form of a notification: plain text and HTML with the same words and link.</summary>
public static class NotificationEmail
{
    public static string Text(string body, string? link) =>
        link is null ? $"{body}\n\n— Situk" : $"{body}\n\nDetails: {link}\n\n— Situk";

    /// <summary>The email of a pull kind: nothing of the content, only that it waits and where to sign in.</summary>
    public static string NeutralText(string? link) => Text(SignIn, link);

    public static string NeutralHtml(string title, string? link) => Html(title, SignIn, link);

    private const string SignIn = "Something new is waiting for you in Situk. Sign in to see it.";

    public static string Html(string title, string body, string? link)
    {
        var details = link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">View details</a></p>";
        return $"""
            <!DOCTYPE html>
            <html><body style="font-family:sans-serif">
            <h2>{WebUtility.HtmlEncode(title)}</h2>
            <p>{WebUtility.HtmlEncode(body)}</p>
            {details}
            <p style="color:#666">— Situk</p>
            </body></html>
            """;
    }
}
