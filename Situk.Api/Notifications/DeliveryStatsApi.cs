using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;

namespace Situk.Api.Notifications;

/// <summary>
/// One group of notifications created since <c>since</c>: a kind, the device class that first
/// acknowledged them (<c>none</c> while undelivered) and a payload-size bucket of the device frame
/// (<c>le1k</c> ≤ 1 KiB, <c>le16k</c> ≤ 16 KiB, <c>le64k</c> ≤ 64 KiB, <c>gt64k</c> above).
/// The delay is <c>delivered_at − created_at</c> in milliseconds (null when nothing was delivered);
/// <see cref="EmailFailed"/> counts the group's notifications whose email ended in <c>failed</c>.
/// </summary>
public sealed record DeliveryStatsRow(
    string Kind, string DeviceClass, string PayloadBucket, long Count, long Delivered,
    double? P50Ms, double? P95Ms, double? P99Ms, long EmailFailed);

/// <summary>The delivery-delay measurement of the original study, computed in SQL over the inbox.</summary>
public static class DeliveryStatsApi
{
    /// <summary>Without <c>since</c>, the last 24 hours.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapDeliveryStats(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/admin/delivery-stats", Get)
            .WithTags("Admin")
            .RequireAuthorization(AuthSetup.Admin)
            .WithSummary("Delivery delay percentiles by kind, device class and payload size (default: the last 24 hours).");
        return routes;
    }

    private static async Task<Ok<DeliveryStatsRow[]>> Get(DateTimeOffset? since, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<DeliveryStatsRow>(new CommandDefinition(
            """
            WITH n AS (
                SELECT n.kind,
                       coalesce(n.delivered_device_class, 'none') AS device_class,
                       CASE WHEN n.payload_bytes <= 1024 THEN 'le1k'
                            WHEN n.payload_bytes <= 16384 THEN 'le16k'
                            WHEN n.payload_bytes <= 65536 THEN 'le64k'
                            ELSE 'gt64k' END AS payload_bucket,
                       n.delivered_at,
                       extract(epoch FROM (n.delivered_at - n.created_at)) * 1000 AS delay_ms,
                       EXISTS (SELECT 1 FROM email_outbox e WHERE e.notification_id = n.id AND e.state = 'failed') AS email_failed
                FROM notifications n
                WHERE n.created_at >= @since
            )
            SELECT kind, device_class AS deviceClass, payload_bucket AS payloadBucket,
                   count(*) AS count,
                   count(delivered_at) AS delivered,
                   percentile_cont(0.50) WITHIN GROUP (ORDER BY delay_ms)::float8 AS p50Ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY delay_ms)::float8 AS p95Ms,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY delay_ms)::float8 AS p99Ms,
                   count(*) FILTER (WHERE email_failed) AS emailFailed
            FROM n
            GROUP BY kind, device_class, payload_bucket
            ORDER BY kind, device_class, payload_bucket
            """,
            new { since = since ?? time.GetUtcNow() - DefaultWindow }, cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }
}
