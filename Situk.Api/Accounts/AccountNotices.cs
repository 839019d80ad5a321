using System.Net;
using Dapper;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary>
/// What a sign-up sends the owner of the address: a verification link to a new (or still unproved)
/// account, or "you already have an account" to a proved one. Each is an inbox notification without
/// the secret (push and inbox) plus an email row of its own that carries it, both in the caller's
/// transaction; the email relay sends it like any other.
/// </summary>
public static class AccountNotices
{
    /// <summary>Whether this user got a sign-up email within <paramref name="interval"/> (then no other is sent).</summary>
    public static Task<bool> SentRecentlyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, TimeSpan interval, CancellationToken ct) =>
        c.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM notifications
                           WHERE user_id = @userId AND kind IN (@verify, @again)
                             AND created_at > now() - @ms * interval '1 millisecond')
            """,
            new { userId, verify = NotificationKinds.AccountVerifyEmail, again = NotificationKinds.AccountSignUpAgain, ms = interval.TotalMilliseconds },
            tx, cancellationToken: ct));

    public static Task VerifyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, string token, CancellationToken ct) =>
        WriteAsync(c, tx, userId, email, NotificationKinds.AccountVerifyEmail,
            "Confirm your email address",
            $"We sent a link to {email}. Open it to confirm your address; you need it confirmed to register for a certification scheme.",
            $"Open this link to confirm your email address for Situk. It works once, and only for a limited time.\n\nYour code: {token}",
            $"/verify-email?token={token}",
            ct);

    public static Task AlreadyRegisteredAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, CancellationToken ct) =>
        WriteAsync(c, tx, userId, email, NotificationKinds.AccountSignUpAgain,
            "Someone tried to sign up with your email",
            "Someone tried to create a new Situk account with your email address. You already have one: sign in instead. If it was not you, nothing changed.",
            "Someone tried to create a new Situk account with your email address. You already have one: sign in with it instead. If it was not you, you can ignore this email; nothing changed.",
            null,
            ct);

    private static async Task WriteAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, string kind, string title, string inboxBody, string emailBody, string? emailLink, CancellationToken ct)
    {
        var ids = await NotificationWriter.AddAsync(c, tx, [new NewNotification(userId, kind, title, inboxBody, Email: false)], ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO email_outbox (notification_id, user_id, to_address, subject, text_body, html_body)
            VALUES (@notificationId, @userId, @email, @title, @text, @html)
            """,
            new { notificationId = ids[0], userId, email, title, text = Text(emailBody, emailLink), html = Html(title, emailBody, emailLink) },
            tx, cancellationToken: ct));
    }

    private static string Text(string body, string? link) =>
        link is null ? $"{body}\n\n— Situk" : $"{body}\n\nLink: {link}\n\n— Situk";

    private static string Html(string title, string body, string? link)
    {
        var paragraphs = string.Concat(body.Split("\n\n").Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>"));
        var action = link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">Confirm my email address</a></p>";
        return $"""
            <!DOCTYPE html>
            <html><body style="font-family:sans-serif">
            <h2>{WebUtility.HtmlEncode(title)}</h2>
            {paragraphs}
            {action}
            <p style="color:#666">— Situk</p>
            </body></html>
            """;
    }
}
