using Dapper;
using Npgsql;

namespace Situk.Api.Relay;

internal static partial class OutboxStore
{
    // One row per transaction: the row is marked sent and committed right after the SMTP server
    // accepted it, so a crash can repeat at most the one message in flight.
    // A notification's email is laid out in the language and zone its words were written in (stored on the
    // notification), not the reader's settings of now: a language changed meanwhile never mixes two in one email.
    // An email of no notification was composed when it was written; the reader's settings serve only as a default.
    private const string ClaimEmailSql = """
        SELECT e.id AS Id, e.notification_id AS NotificationId, e.user_id AS UserId, e.to_address AS ToAddress, e.subject AS Subject,
               e.text_body AS TextBody, e.html_body AS HtmlBody, e.attempts AS Attempts, n.kind AS Kind, n.link AS Link,
               n.title AS NotificationTitle, n.body AS NotificationBody,
               u.full_name AS RecipientName,
               coalesce(n.language, u.language) AS Language, coalesce(n.time_zone, u.time_zone) AS TimeZone
        FROM email_outbox e
        JOIN users u ON u.id = e.user_id
        LEFT JOIN notifications n ON n.id = e.notification_id
        WHERE e.state = 'pending' AND e.next_attempt_at <= clock_timestamp()
        ORDER BY e.next_attempt_at, e.id
        LIMIT 1
        FOR UPDATE OF e SKIP LOCKED
        """;

    // Each outcome also leaves an email_attempts row, the email's part of the delivery timeline.
    private const string MarkSentSql = """
        WITH o AS (
            UPDATE email_outbox
            SET state = 'sent', sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL
            WHERE id = @id
            RETURNING id, attempts
        )
        INSERT INTO email_attempts (email_id, attempt, outcome) SELECT id, attempts, 'sent' FROM o
        """;

    private const string MarkEmailRetrySql = """
        WITH o AS (
            UPDATE email_outbox
            SET attempts = attempts + 1, last_error = left(@error, 2000),
                next_attempt_at = clock_timestamp() + @delayMs * interval '1 millisecond'
            WHERE id = @id
            RETURNING id, attempts, last_error
        )
        INSERT INTO email_attempts (email_id, attempt, outcome, error) SELECT id, attempts, 'retry', last_error FROM o
        """;

    private const string MarkEmailFailedSql = """
        WITH o AS (
            UPDATE email_outbox
            SET state = 'failed', attempts = attempts + 1, last_error = left(@error, 2000)
            WHERE id = @id
            RETURNING id, attempts, last_error
        )
        INSERT INTO email_attempts (email_id, attempt, outcome, error) SELECT id, attempts, 'failed', last_error FROM o
        """;

    public static Task<EmailRow?> ClaimEmailAsync(NpgsqlTransaction tx, CancellationToken ct) =>
        tx.Connection!.QuerySingleOrDefaultAsync<EmailRow>(new CommandDefinition(ClaimEmailSql, null, tx, cancellationToken: ct));

    public static Task MarkSentAsync(NpgsqlTransaction tx, long id, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition(MarkSentSql, new { id }, tx, cancellationToken: ct));

    public static Task MarkEmailRetryAsync(NpgsqlTransaction tx, long id, string error, TimeSpan delay, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition(MarkEmailRetrySql, new { id, error, delayMs = delay.TotalMilliseconds }, tx, cancellationToken: ct));

    public static Task MarkEmailFailedAsync(NpgsqlTransaction tx, long id, string error, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition(MarkEmailFailedSql, new { id, error }, tx, cancellationToken: ct));
}
