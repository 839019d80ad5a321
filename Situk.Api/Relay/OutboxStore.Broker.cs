using Dapper;
using Npgsql;

namespace Situk.Api.Relay;

internal static partial class OutboxStore
{
    // A receipt counts only when the notification exists and belongs to the user who acked it (a
    // device must not ack someone else's notification). Each session's ack is kept once; the
    // notification's delivered_at is the earliest ack of the batch and is never overwritten. A session's
    // re-acks keep its first ack time (the earliest of the batch, and ON CONFLICT keeps what is stored),
    // and past MaxRecordedSessions sessions per notification no more rows are added (the earliest new
    // sessions of a batch fill what is left). written_at is
    // when the broker wrote the frame to that session's socket (null when the broker did not time it).
    private const string RecordReceiptsSql = """
        WITH r AS (
            SELECT * FROM unnest(@ids, @users, @sessions, @classes, @acked, @written::timestamptz[])
                AS r(notification_id, user_id, session_id, device_class, acked_at, written_at)
        ), valid AS (
            SELECT r.* FROM r JOIN notifications n ON n.id = r.notification_id AND n.user_id = r.user_id
        ), new_sessions AS (
            SELECT f.*, row_number() OVER (PARTITION BY f.notification_id ORDER BY f.acked_at) AS nth
            FROM (SELECT DISTINCT ON (notification_id, session_id) * FROM valid ORDER BY notification_id, session_id, acked_at) f
            WHERE NOT EXISTS (SELECT 1 FROM delivery_receipts d WHERE d.notification_id = f.notification_id AND d.session_id = f.session_id)
        ), inserted AS (
            INSERT INTO delivery_receipts (notification_id, user_id, session_id, device_class, acked_at, written_at)
            SELECT notification_id, user_id, session_id, device_class, acked_at, written_at FROM new_sessions s
            WHERE s.nth + (SELECT count(*) FROM delivery_receipts d WHERE d.notification_id = s.notification_id) <= @cap
            ON CONFLICT (notification_id, session_id) DO NOTHING
        )
        UPDATE notifications n
        SET delivered_at = f.acked_at, delivered_device_class = f.device_class
        FROM (SELECT DISTINCT ON (notification_id) notification_id, acked_at, device_class
              FROM valid ORDER BY notification_id, acked_at) f
        WHERE n.id = f.notification_id AND n.delivered_at IS NULL
        """;

    private const string UndeliveredSql = """
        SELECT n.id AS Id, n.user_id AS UserId, n.kind AS Kind, n.priority AS Priority, n.title AS Title,
               n.body AS Body, n.link AS Link, n.data::text AS Data, n.created_at AS CreatedAt, u.language AS Language
        FROM notifications n
        JOIN users u ON u.id = n.user_id
        WHERE n.user_id = @userId AND n.delivered_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM digest_items d WHERE d.notification_id = n.id) -- its digest carries it
          AND n.created_at >= clock_timestamp() - @windowMs * interval '1 millisecond'
          -- Only what was meant to be pushed: a notification written while its group's push was off has no outbox row.
          AND EXISTS (SELECT 1 FROM push_outbox o WHERE o.notification_id = n.id)
        ORDER BY n.id
        LIMIT @limit
        """;

    /// <summary>Stores valid receipts; returns how many notifications became delivered.</summary>
    public static Task<int> RecordReceiptsAsync(NpgsqlConnection connection, IReadOnlyList<ValidReceipt> receipts, CancellationToken ct)
    {
        var args = new
        {
            ids = receipts.Select(r => r.NotificationId).ToArray(),
            users = receipts.Select(r => r.UserId).ToArray(),
            sessions = receipts.Select(r => r.SessionId).ToArray(),
            classes = receipts.Select(r => r.DeviceClass).ToArray(),
            acked = receipts.Select(r => r.AckedAtUtc).ToArray(),
            written = receipts.Select(r => r.WrittenAtUtc).ToArray(),
            cap = MaxRecordedSessions,
        };
        return connection.ExecuteAsync(new CommandDefinition(RecordReceiptsSql, args, cancellationToken: ct));
    }

    /// <summary>The user's undelivered notifications of the last <paramref name="window"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<NotificationRow>> UndeliveredAsync(
        NpgsqlConnection connection, long userId, TimeSpan window, int limit, CancellationToken ct)
    {
        var args = new { userId, windowMs = window.TotalMilliseconds, limit };
        var rows = await connection.QueryAsync<NotificationRow>(new CommandDefinition(UndeliveredSql, args, cancellationToken: ct));
        return rows.AsList();
    }
}

/// <summary>A device ack that passed the checks that need no database.</summary>
internal readonly record struct ValidReceipt(
    long NotificationId, long UserId, string SessionId, string DeviceClass, DateTime AckedAtUtc, DateTime? WrittenAtUtc = null);
