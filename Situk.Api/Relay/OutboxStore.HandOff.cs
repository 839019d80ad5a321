using Dapper;
using Npgsql;

namespace Situk.Api.Relay;

internal static partial class OutboxStore
{
    // Only rows still pending: a relay that took a row after its hold (the hand-off was late) already marked it.
    // forwarded_at is the hand-off's own time just before it published, never before the row existed.
    private const string MarkHandedOffSql = """
        UPDATE push_outbox o
        SET state = 'forwarded', forwarded_at = greatest(o.created_at, f.at), attempts = o.attempts + 1, last_error = NULL
        FROM unnest(@ids, @ats) AS f(id, at)
        WHERE o.id = f.id AND o.state = 'pending'
        """;

    // The hand-off could not publish these (its link down, or the broker refused): due at once, and the relays woken,
    // on this instance and, after their delay, on the others; the relays retry them with back-off.
    private const string ReleaseHeldSql = """
        WITH r AS (
            UPDATE push_outbox SET next_attempt_at = clock_timestamp()
            WHERE id = ANY(@ids) AND state = 'pending'
            RETURNING 1
        )
        SELECT pg_notify('situk_push_outbox', coalesce(current_setting('situk.instance', true), '')) FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM r)) AS w
        """;

    public static Task MarkHandedOffAsync(NpgsqlConnection connection, long[] outboxIds, DateTime[] publishedAt, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(MarkHandedOffSql, new { ids = outboxIds, ats = publishedAt }, cancellationToken: ct));

    public static Task ReleaseHeldAsync(NpgsqlConnection connection, long[] outboxIds, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(ReleaseHeldSql, new { ids = outboxIds }, cancellationToken: ct));
}
