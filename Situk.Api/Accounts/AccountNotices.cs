using Dapper;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Texts;

namespace Situk.Api.Accounts;

/// <summary>
/// What a sign-up sends the owner of the address: a verification link to a new (or still unproved)
/// account, or "you already have an account" to a proved one; and the password-reset link. These are
/// emails of no notification (<c>email_outbox</c> rows with no <c>notification_id</c>): the link is a
/// secret that belongs in the mailbox it proves, not in the inbox or on devices. Written in the caller's
/// transaction, in the account's language and zone (<c>Texts/accounts.*.json</c>), laid out by
/// <see cref="NotificationEmail"/>; the email relay sends them as stored, so the link is made absolute
/// here, on <c>Situk:PublicWebUrl</c>, where <see cref="VerifyEmailPage"/> and <see cref="ResetPasswordPage"/> answer it.
/// </summary>
public static class AccountNotices
{
    private const string Verify = "account.verify";
    private const string Again = "account.again";
    private const string Reset = "account.reset";

    /// <summary>The subject of the sign-up verification email in <paramref name="language"/>.</summary>
    public static string VerifySubject(string language) => Subject(Verify, language);

    /// <summary>The subject of "someone tried to sign up with your email" in <paramref name="language"/>.</summary>
    public static string AgainSubject(string language) => Subject(Again, language);

    /// <summary>The subject of the password-reset email in <paramref name="language"/>.</summary>
    public static string ResetSubject(string language) => Subject(Reset, language);

    /// <summary>Whether this user got a sign-up email within <paramref name="interval"/> (then no other is sent).</summary>
    public static Task<bool> SentRecentlyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, TimeSpan interval, CancellationToken ct) =>
        SentAsync(c, tx, userId, [.. Subjects(Verify), .. Subjects(Again)], interval, ct);

    /// <summary>Whether this user got a password-reset email within <paramref name="interval"/> (then no other is sent).</summary>
    public static Task<bool> ResetSentRecentlyAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, TimeSpan interval, CancellationToken ct) =>
        SentAsync(c, tx, userId, Subjects(Reset), interval, ct);

    /// <summary>
    /// The link opens a page that confirms only when its button is pressed (a mail scanner fetching the
    /// link confirms nothing). The token is in the fragment (<c>#token=</c>), which a browser never sends:
    /// it reaches no server, proxy or access log until the button posts it. The code stays in the text
    /// for a client that mangles the link.
    /// </summary>
    public static async Task VerifyAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, NotificationEmail emails, long userId, string email, string token, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var (name, reader) = await RecipientAsync(c, tx, userId, ct);
        var texts = TextCatalog.Embedded;
        await WriteAsync(c, tx, userId, email, emails.Compose(
            reader, name, VerifySubject(reader.Language),
            [
                texts.Render(reader, Verify + ".body", new Dictionary<string, object?> { ["expiresAt"] = expiresAt }),
                texts.Render(reader, Verify + ".code", new Dictionary<string, object?> { ["token"] = token }),
            ],
            VerifyEmailPage.Path + "#token=" + token, Verify + ".action"), ct);
    }

    /// <summary>
    /// The reset link opens <see cref="ResetPasswordPage"/>, where the new password is typed; as for the
    /// sign-up link the token rides in the fragment, and only the page's form posts it.
    /// </summary>
    public static async Task ResetAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, NotificationEmail emails, long userId, string email, string token, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var (name, reader) = await RecipientAsync(c, tx, userId, ct);
        await WriteAsync(c, tx, userId, email, emails.Compose(
            reader, name, ResetSubject(reader.Language),
            [TextCatalog.Embedded.Render(reader, Reset + ".body", new Dictionary<string, object?> { ["expiresAt"] = expiresAt })],
            ResetPasswordPage.Path + "#token=" + token, Reset + ".action"), ct);
    }

    public static async Task AlreadyRegisteredAsync(NpgsqlConnection c, NpgsqlTransaction tx, NotificationEmail emails, long userId, string email, CancellationToken ct)
    {
        var (name, reader) = await RecipientAsync(c, tx, userId, ct);
        await WriteAsync(c, tx, userId, email, emails.Compose(
            reader, name, AgainSubject(reader.Language), [TextCatalog.Embedded.Render(reader, Again + ".body")], null, "email.action"), ct);
    }

    private static string Subject(string key, string language) => TextCatalog.Embedded.Template(language, key + ".subject");

    /// <summary>The subject in every language: the limit counts an email whatever language it went out in.</summary>
    private static string[] Subjects(string key) => [.. TextCatalog.Languages.Select(l => Subject(key, l))];

    private static Task<bool> SentAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string[] subjects, TimeSpan interval, CancellationToken ct) =>
        c.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM email_outbox
                           WHERE user_id = @userId AND notification_id IS NULL AND subject = ANY(@subjects)
                             AND created_at > clock_timestamp() - @ms * interval '1 millisecond')
            """,
            new { userId, subjects, ms = interval.TotalMilliseconds },
            tx, cancellationToken: ct));

    private static async Task<(string Name, Locale Reader)> RecipientAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, CancellationToken ct)
    {
        var user = await c.QuerySingleAsync<(string Name, string Language, string TimeZone)>(new CommandDefinition(
            "SELECT full_name, language, time_zone FROM users WHERE id = @userId", new { userId }, tx, cancellationToken: ct));
        return (user.Name, UserLocales.From(user.Language, user.TimeZone));
    }

    private static Task WriteAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string email, ComposedEmail composed, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO email_outbox (user_id, to_address, subject, text_body, html_body)
            VALUES (@userId, @email, @Subject, @Text, @Html)
            """,
            new { userId, email, composed.Subject, composed.Text, composed.Html },
            tx, cancellationToken: ct));
}
