using System.Net;
using Dapper;
using Npgsql;
using Situk.Api.Notifications;

namespace Situk.Api.Accounts;

/// <summary>
/// What a sign-up sends the owner of the address: a verification link to a new (or still unproved)
/// account, or "you already have an account" to a proved one. These are emails of no notification
/// (<c>email_outbox</c> rows with no <c>notification_id</c>): the link is a secret that belongs in the
/// mailbox it proves, not in the inbox or on devices. Written in the caller's transaction; the email
/// relay sends them like any other, as stored: so the link is made absolute here, on
/// <c>Situk:PublicWebUrl</c>, where <see cref="VerifyEmailPage"/> answers it.
/// </summary>
public static class AccountNotices
{
    public const string VerifySubject = "Confirm your email address";
    public const string AgainSubject = "Someone tried to sign up with your email";
    public const string ResetSubject = "Reset your Situk password";

    /// <summary>Whether this user got a sign-up email within <paramref name="interval"/> (then no other is sent).</summary>
    public static Task<bool> SentRecentlyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, TimeSpan interval, CancellationToken ct) =>
        c.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM email_outbox
                           WHERE user_id = @userId AND notification_id IS NULL AND subject IN (@verify, @again)
                             AND created_at > clock_timestamp() - @ms * interval '1 millisecond')
            """,
            new { userId, verify = VerifySubject, again = AgainSubject, ms = interval.TotalMilliseconds },
            tx, cancellationToken: ct));

    /// <summary>
    /// The link opens a page that confirms only when its button is pressed (a mail scanner fetching the
    /// link confirms nothing). The token is in the fragment (<c>#token=</c>), which a browser never sends:
    /// it reaches no server, proxy or access log until the button posts it. The code stays in the text
    /// for a client that mangles the link.
    /// </summary>
    public static Task VerifyAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, PublicLinks links, long userId, string email, string token, CancellationToken ct) =>
        WriteAsync(c, tx, userId, email, VerifySubject,
            $"Open this link and press \"Konfirmasi email saya\" (Confirm my email) to confirm your email address for Situk; you need it confirmed to register for a certification scheme. It works once, and only for a limited time.\n\nYour code: {token}",
            links.Absolute(VerifyEmailPage.Path + "#token=" + token),
            "Konfirmasi email saya / Confirm my email address",
            ct);

    /// <summary>Whether this user got a password-reset email within <paramref name="interval"/> (then no other is sent).</summary>
    public static Task<bool> ResetSentRecentlyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, TimeSpan interval, CancellationToken ct) =>
        c.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM email_outbox
                           WHERE user_id = @userId AND notification_id IS NULL AND subject = @reset
                             AND created_at > clock_timestamp() - @ms * interval '1 millisecond')
            """,
            new { userId, reset = ResetSubject, ms = interval.TotalMilliseconds },
            tx, cancellationToken: ct));

    /// <summary>
    /// The reset link opens <see cref="ResetPasswordPage"/>, where the new password is typed; as for the
    /// sign-up link the token rides in the fragment, and only the page's form posts it.
    /// </summary>
    public static Task ResetAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, PublicLinks links, long userId, string email, string token, CancellationToken ct) =>
        WriteAsync(c, tx, userId, email, ResetSubject,
            "Someone asked to reset the password of your Situk account. Open this link to choose a new one; it works once, within one hour. If it was not you, ignore this email: your password stays as it is.",
            links.Absolute(ResetPasswordPage.Path + "#token=" + token),
            "Atur ulang kata sandi / Reset my password",
            ct);

    public static Task AlreadyRegisteredAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, CancellationToken ct) =>
        WriteAsync(c, tx, userId, email, AgainSubject,
            "Someone tried to create a new Situk account with your email address. You already have one: sign in with it instead. If it was not you, you can ignore this email; nothing changed.",
            null,
            "",
            ct);

    private static Task WriteAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, string title, string body, string? link, string action, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO email_outbox (user_id, to_address, subject, text_body, html_body)
            VALUES (@userId, @email, @title, @text, @html)
            """,
            new { userId, email, title, text = Text(body, link), html = Html(title, body, link, action) },
            tx, cancellationToken: ct));

    private static string Text(string body, string? link) =>
        link is null ? $"{body}\n\n— Situk" : $"{body}\n\nLink: {link}\n\n— Situk";

    private static string Html(string title, string body, string? link, string action)
    {
        var paragraphs = string.Concat(body.Split("\n\n").Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>"));
        var button = link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(action)}</a></p>";
        return $"""
            <!DOCTYPE html>
            <html><body style="font-family:sans-serif">
            <h2>{WebUtility.HtmlEncode(title)}</h2>
            {paragraphs}
            {button}
            <p style="color:#666">— Situk</p>
            </body></html>
            """;
    }
}
