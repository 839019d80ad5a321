using Dapper;
using Npgsql;

namespace Situk.Api.Relay;

/// <summary>
/// Every SQL statement of the relays, in one place (these partials). The tables are the interface
/// with the business process, which inserts notifications and outbox rows in its own transactions.
/// </summary>
internal static partial class OutboxStore
{
    // FOR UPDATE OF o SKIP LOCKED: the claim locks only outbox rows, so relays on other API instances
    // take the next rows instead of waiting, and receipts can update notifications meanwhile.
    private const string ClaimPushSql = """
        SELECT o.id AS OutboxId, o.attempts AS Attempts, n.id AS Id, n.user_id AS UserId, n.kind AS Kind, n.priority AS Priority,
               n.title AS Title, n.body AS Body, n.link AS Link, n.data::text AS Data, n.created_at AS CreatedAt,
               clock_timestamp() AS ClaimedAt, u.language AS Language
        FROM push_outbox o
        JOIN notifications n ON n.id = o.notification_id
        JOIN users u ON u.id = n.user_id
        WHERE o.state = 'pending' AND o.next_attempt_at <= clock_timestamp()
        ORDER BY o.next_attempt_at, o.id
        LIMIT @limit
        FOR UPDATE OF o SKIP LOCKED
        """;

    // forwarded_at is when the relay took the batch to publish it (the claim, on the database's clock like
    // created_at), not when the commit came after the broker's answer: the broker may well have written
    // the frame to a socket, and the device acked it, before that answer arrived.
    private const string MarkForwardedSql = """
        UPDATE push_outbox
        SET state = 'forwarded', forwarded_at = @at, attempts = attempts + 1, last_error = NULL
        WHERE id = ANY(@ids)
        """;

    private const string MarkPushRetrySql = """
        UPDATE push_outbox o
        SET attempts = o.attempts + 1,
            last_error = left(f.error, 2000),
            next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
        FROM unnest(@ids, @errors, @delays) AS f(id, error, delay_ms)
        WHERE o.id = f.id
        """;

    /// <summary>Locks up to <paramref name="limit"/> due pending rows for the life of <paramref name="tx"/>.</summary>
    public static async Task<IReadOnlyList<NotificationRow>> ClaimPushAsync(NpgsqlTransaction tx, int limit, CancellationToken ct)
    {
        var rows = await tx.Connection!.QueryAsync<NotificationRow>(new CommandDefinition(ClaimPushSql, new { limit }, tx, cancellationToken: ct));
        return rows.AsList();
    }

    public static Task MarkForwardedAsync(NpgsqlTransaction tx, long[] outboxIds, DateTime claimedAt, CancellationToken ct) =>
        outboxIds.Length == 0
            ? Task.CompletedTask
            : tx.Connection!.ExecuteAsync(new CommandDefinition(
                MarkForwardedSql, new { ids = outboxIds, at = DateTime.SpecifyKind(claimedAt, DateTimeKind.Utc) }, tx, cancellationToken: ct));

    /// <summary>attempts + 1, the error, and the next attempt after each row's back-off.</summary>
    public static Task MarkPushRetryAsync(NpgsqlTransaction tx, IReadOnlyList<(long OutboxId, string Error, TimeSpan Delay)> failures, CancellationToken ct)
    {
        if (failures.Count == 0)
        {
            return Task.CompletedTask;
        }

        var args = new
        {
            ids = failures.Select(f => f.OutboxId).ToArray(),
            errors = failures.Select(f => f.Error).ToArray(),
            delays = failures.Select(f => f.Delay.TotalMilliseconds).ToArray(),
        };
        return tx.Connection!.ExecuteAsync(new CommandDefinition(MarkPushRetrySql, args, tx, cancellationToken: ct));
    }
}
