using Dapper;
using Npgsql;
using Situk.Contracts;

namespace Situk.Api.Timeline;

/// <summary>
/// Reads a notification's delivery timeline from the rows that record each step: the notification
/// (committed), its push_outbox row (forwarded), its delivery_writes and delivery_receipts (written,
/// acked, per session), its email_attempts (emailed, email-retry, email-failed, with the email's
/// reason), its notification_reads (read, per device session or REST) and its digest_items row (the
/// digest that carried it, with that digest's own timeline). Nothing is inferred.
/// </summary>
public static class TimelineStore
{
    private const string HeadSql = "SELECT id, user_id AS userId, kind, created_at AS createdAt, read_at AS readAt FROM notifications WHERE id = @id";

    // Written is listed before acked for the same session: the broker writes before the device can ack.
    // One written step per session, the first write: from delivery_writes (every write, acked or not)
    // and from the write time an ack's receipt carried (the only record before migration 0008).
    private const string StepsSql = """
        SELECT 'forwarded' AS kind, o.forwarded_at AS at, 1 AS rank, NULL AS deviceClass, NULL AS sessionId,
               NULL AS reason, o.attempts AS attempt, NULL AS via, NULL AS error
        FROM push_outbox o WHERE o.notification_id = @id AND o.forwarded_at IS NOT NULL
        UNION ALL
        SELECT 'written', min(w.at), 2, min(w.device_class), w.session_id, NULL, NULL, NULL, NULL
        FROM (SELECT d.written_at AS at, d.device_class, d.session_id FROM delivery_writes d WHERE d.notification_id = @id
              UNION ALL
              SELECT r.written_at, r.device_class, r.session_id FROM delivery_receipts r
              WHERE r.notification_id = @id AND r.written_at IS NOT NULL) w
        GROUP BY w.session_id
        UNION ALL
        SELECT 'acked', r.acked_at, 3, r.device_class, r.session_id, NULL, NULL, NULL, NULL
        FROM delivery_receipts r WHERE r.notification_id = @id
        UNION ALL
        SELECT CASE a.outcome WHEN 'sent' THEN 'emailed' WHEN 'retry' THEN 'email-retry' ELSE 'email-failed' END,
               a.attempted_at, 4, NULL, NULL, e.reason, a.attempt, NULL, a.error
        FROM email_outbox e JOIN email_attempts a ON a.email_id = e.id WHERE e.notification_id = @id
        UNION ALL
        SELECT 'read', rd.read_at, 5, dr.device_class, CASE WHEN rd.via = 'device' THEN rd.source END, NULL, NULL, rd.via, NULL
        FROM notification_reads rd
        LEFT JOIN LATERAL (SELECT d.device_class FROM delivery_receipts d
                           WHERE d.notification_id = rd.notification_id AND d.session_id = rd.source
                           UNION ALL
                           SELECT w.device_class FROM delivery_writes w
                           WHERE w.notification_id = rd.notification_id AND w.session_id = rd.source LIMIT 1) dr ON true
        WHERE rd.notification_id = @id
        ORDER BY at, rank
        """;

    // The digest that carried this item, if one did (a digest is never itself an item, so this goes one level deep).
    private const string DigestSql = "SELECT digest_id FROM digest_items WHERE notification_id = @id AND digest_id IS NOT NULL";

    /// <summary>The timeline, or null when no notification has this id.</summary>
    public static async Task<(NotificationTimeline Timeline, long OwnerId)?> ReadAsync(NpgsqlConnection c, long id, CancellationToken ct)
    {
        var head = await c.QuerySingleOrDefaultAsync<Head>(new CommandDefinition(HeadSql, new { id }, cancellationToken: ct));
        if (head is null)
        {
            return null;
        }

        var digestId = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(DigestSql, new { id }, cancellationToken: ct));
        var digest = digestId is { } d ? (await ReadAsync(c, d, ct))?.Timeline : null;

        var rows = (await c.QueryAsync<StepRow>(new CommandDefinition(StepsSql, new { id }, cancellationToken: ct))).ToList();
        var steps = new List<TimelineStep> { new(TimelineSteps.Committed, head.CreatedAt, 0) };
        steps.AddRange(rows.Select(r => new TimelineStep(
            r.Kind, r.At, Math.Round((r.At - head.CreatedAt).TotalMilliseconds, 3), r.DeviceClass, r.SessionId, r.Reason, r.Attempt, r.Via, r.Error)));

        // A read stored before reads were kept per place still shows, from the notification itself.
        if (head.ReadAt is { } readAt && !rows.Exists(r => r.Kind == TimelineSteps.Read))
        {
            steps.Add(new TimelineStep(TimelineSteps.Read, readAt, Math.Round((readAt - head.CreatedAt).TotalMilliseconds, 3)));
        }

        if (digest is not null)
        {
            steps.Add(new TimelineStep(TimelineSteps.Digested, digest.CreatedAt, Math.Round((digest.CreatedAt - head.CreatedAt).TotalMilliseconds, 3)));
        }

        return (new NotificationTimeline(head.Id, head.UserId, head.Kind, head.CreatedAt, [.. steps.OrderBy(s => s.At)], digest), head.UserId);
    }

    private sealed record Head(long Id, long UserId, string Kind, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

    private sealed record StepRow(
        string Kind, DateTimeOffset At, int Rank, string? DeviceClass, string? SessionId, string? Reason, int? Attempt, string? Via, string? Error);
}
