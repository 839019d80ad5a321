using Dapper;
using Npgsql;

namespace Situk.Api.Digests;

/// <summary>
/// Every SQL statement of digests. Items are written by <see cref="Notifications.NotificationWriter"/>
/// (a <c>digest_items</c> row instead of the item's push and email rows); these statements find the
/// people whose digest is due, claim their waiting items and mark them carried.
/// </summary>
internal static class DigestStore
{
    // People whose digest is due: enough items wait, or the oldest has waited the whole window.
    private const string DueSql = """
        SELECT user_id FROM digest_items
        WHERE digest_id IS NULL
        GROUP BY user_id
        HAVING count(*) >= @maxItems OR min(created_at) <= @cutoff
        ORDER BY min(created_at)
        LIMIT @limit
        """;

    // One sweeper at a time per person, for the life of the transaction: without it, two sweepers' row
    // scans could each lock part of one person's batch and write two half digests. Another instance that
    // does not get the lock skips the person this round (the key is the person's id hashed in a namespace).
    private const string LockPersonSql = "SELECT pg_try_advisory_xact_lock(hashtextextended('situk.digest', @userId))";

    // FOR UPDATE OF i SKIP LOCKED as well: what the sweeper holding the person's lock claims is what it
    // carries; what it gets it checks against the window again, so items that arrived meanwhile do not
    // go out early as a digest of their own.
    private const string ClaimSql = """
        SELECT i.notification_id AS Id, i.created_at AS WaitingSince, n.kind AS Kind, n.title AS Title, n.body AS Body,
               n.created_at AS CreatedAt
        FROM digest_items i
        JOIN notifications n ON n.id = i.notification_id
        WHERE i.user_id = @userId AND i.digest_id IS NULL
        ORDER BY i.notification_id
        LIMIT @maxItems
        FOR UPDATE OF i SKIP LOCKED
        """;

    private const string CarriedSql = """
        UPDATE digest_items SET digest_id = @digestId, carried_at = clock_timestamp()
        WHERE notification_id = ANY(@ids) AND digest_id IS NULL
        """;

    // The items a digest carried, for its email: the email relay lays it out when it sends it (DigestEmail).
    private const string CarriedItemsSql = """
        SELECT i.notification_id AS Id, i.created_at AS WaitingSince, n.kind AS Kind, n.title AS Title, n.body AS Body,
               n.created_at AS CreatedAt
        FROM digest_items i
        JOIN notifications n ON n.id = i.notification_id
        WHERE i.digest_id = @digestId
        ORDER BY i.notification_id
        """;

    private const string ReplaceKindsSql = """
        DELETE FROM digest_kinds;
        INSERT INTO digest_kinds (kind, role) SELECT * FROM unnest(@kinds, @roles);
        """;

    public static async Task<IReadOnlyList<long>> DueAsync(
        NpgsqlConnection c, int maxItems, DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        (await c.QueryAsync<long>(new CommandDefinition(DueSql, new { maxItems = (long)maxItems, cutoff, limit }, cancellationToken: ct))).AsList();

    /// <summary>Up to <paramref name="maxItems"/> of the person's waiting items, oldest first; none while another sweeper holds the person.</summary>
    public static async Task<IReadOnlyList<WaitingItem>> ClaimAsync(NpgsqlTransaction tx, long userId, int maxItems, CancellationToken ct)
    {
        var c = tx.Connection!;
        if (!await c.ExecuteScalarAsync<bool>(new CommandDefinition(LockPersonSql, new { userId }, tx, cancellationToken: ct)))
        {
            return [];
        }

        return (await c.QueryAsync<WaitingItem>(new CommandDefinition(ClaimSql, new { userId, maxItems }, tx, cancellationToken: ct))).AsList();
    }

    public static Task<int> MarkCarriedAsync(NpgsqlTransaction tx, long digestId, long[] ids, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition(CarriedSql, new { digestId, ids }, tx, cancellationToken: ct));

    /// <summary>The items <paramref name="digestId"/> carried, oldest first.</summary>
    public static async Task<IReadOnlyList<WaitingItem>> CarriedAsync(NpgsqlTransaction tx, long digestId, CancellationToken ct) =>
        (await tx.Connection!.QueryAsync<WaitingItem>(new CommandDefinition(CarriedItemsSql, new { digestId }, tx, cancellationToken: ct))).AsList();

    /// <summary>Makes <c>digest_kinds</c> what the configuration says, in one transaction.</summary>
    public static async Task ReplaceKindsAsync(NpgsqlDataSource dataSource, IReadOnlyList<(string Kind, string Role)> pairs, CancellationToken ct)
    {
        await using var c = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            ReplaceKindsSql,
            new { kinds = pairs.Select(p => p.Kind).ToArray(), roles = pairs.Select(p => p.Role).ToArray() },
            tx,
            cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}

/// <summary>One claimed (or carried) item: its notification's words, for the digest's list.</summary>
internal sealed record WaitingItem(long Id, DateTimeOffset WaitingSince, string Kind, string Title, string Body, DateTimeOffset CreatedAt);
