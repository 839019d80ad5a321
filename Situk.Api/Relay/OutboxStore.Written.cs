using Dapper;
using Npgsql;

namespace Situk.Api.Relay;

internal static partial class OutboxStore
{
    /// <summary>
    /// Sessions recorded per notification at most, for each of writes, acks and device reads. Only the
    /// first delivery counts for delivered_at; past this a device that keeps reconnecting (and is re-sent
    /// or re-acks the same notification each time) adds no rows. Two API instances storing at the same
    /// moment may each fill the last places, so it can be passed by a few rows, never grow without bound.
    /// </summary>
    public const int MaxRecordedSessions = 32;

    // A write counts only for a notification of the user whose session it was (ephemeral publishes have
    // negative ids and match nothing). The first write per session is kept: the earliest of the batch,
    // and ON CONFLICT keeps the row already stored. The earliest new sessions of a batch fill what is
    // left of MaxRecordedSessions; the rest are not stored.
    private const string RecordWrittenSql = """
        WITH w AS (
            SELECT * FROM unnest(@ids, @users, @sessions, @classes, @written)
                AS w(notification_id, user_id, session_id, device_class, written_at)
        ), first_writes AS (
            SELECT DISTINCT ON (w.notification_id, w.session_id) w.notification_id, w.session_id, w.device_class, w.written_at
            FROM w JOIN notifications n ON n.id = w.notification_id AND n.user_id = w.user_id
            WHERE NOT EXISTS (SELECT 1 FROM delivery_writes d WHERE d.notification_id = w.notification_id AND d.session_id = w.session_id)
            ORDER BY w.notification_id, w.session_id, w.written_at
        ), new_sessions AS (
            SELECT f.*, row_number() OVER (PARTITION BY f.notification_id ORDER BY f.written_at) AS nth FROM first_writes f
        )
        INSERT INTO delivery_writes (notification_id, session_id, device_class, written_at)
        SELECT s.notification_id, s.session_id, s.device_class, s.written_at FROM new_sessions s
        WHERE s.nth + (SELECT count(*) FROM delivery_writes d WHERE d.notification_id = s.notification_id) <= @cap
        ON CONFLICT (notification_id, session_id) DO NOTHING
        """;

    /// <summary>Stores valid written records; returns how many rows were new.</summary>
    public static Task<int> RecordWrittenAsync(NpgsqlConnection connection, IReadOnlyList<ValidWritten> written, CancellationToken ct)
    {
        var args = new
        {
            ids = written.Select(w => w.NotificationId).ToArray(),
            users = written.Select(w => w.UserId).ToArray(),
            sessions = written.Select(w => w.SessionId).ToArray(),
            classes = written.Select(w => w.DeviceClass).ToArray(),
            written = written.Select(w => w.WrittenAtUtc).ToArray(),
            cap = MaxRecordedSessions,
        };
        return connection.ExecuteAsync(new CommandDefinition(RecordWrittenSql, args, cancellationToken: ct));
    }
}

/// <summary>A written record that passed the checks that need no database.</summary>
internal readonly record struct ValidWritten(long NotificationId, long UserId, string SessionId, string DeviceClass, DateTime WrittenAtUtc);
