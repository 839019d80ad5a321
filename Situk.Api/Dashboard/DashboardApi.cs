using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Contracts;

namespace Situk.Api.Dashboard;

/// <summary>
/// What the admin dashboard (<c>/admin</c>) reads: the broker's sessions and stats through the API,
/// delivery over time, and recent notifications with their delivery state. Admins only.
/// </summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").WithTags("Dashboard").RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapGet("/broker/sessions", Sessions).WithSummary("Device sessions open on the broker (optionally one user's).");
        admin.MapGet("/broker/stats", Stats).WithSummary("The broker's counters and publish-to-ack latency.");
        admin.MapDelete("/broker/sessions/{sessionId}", Kick).WithSummary("Closes one device session with 4003.");
        admin.MapGet("/delivery-series", Series).WithSummary("Deliveries and p50/p99 delay per time bucket (minutes 1–1440, bucketSeconds 1–3600).");
        admin.MapGet("/notifications/recent", Recent).WithSummary("The newest notifications with their delivery, read and email state (limit 1–500).");
        return routes;
    }

    // The broker calls throw BrokerUnreachableException when it is away; BrokerUnreachableHandler answers 503.
    private static async Task<Ok<SessionInfo[]>> Sessions(string? userId, BrokerAdminClient broker, CancellationToken ct) =>
        TypedResults.Ok(await broker.SessionsAsync(userId, ct));

    private static async Task<Ok<BrokerStats>> Stats(BrokerAdminClient broker, CancellationToken ct) =>
        TypedResults.Ok(await broker.StatsAsync(ct));

    private static async Task<Results<NoContent, ProblemHttpResult>> Kick(string sessionId, BrokerAdminClient broker, CancellationToken ct) =>
        await broker.KickAsync(sessionId, ct) ? TypedResults.NoContent() : Problems.NotFound("session.not_found", ("id", sessionId));

    private static async Task<Results<Ok<DeliverySeries>, ValidationProblem>> Series(int? minutes, int? bucketSeconds, NpgsqlDataSource db, CancellationToken ct)
    {
        var span = minutes ?? 15;
        var bucket = bucketSeconds ?? 5;
        if (span is < 1 or > 1440)
        {
            return Problems.Invalid("minutes", "list.between", ("field", "minutes"), ("min", 1), ("max", 1440));
        }

        if (bucket is < 1 or > 3600)
        {
            return Problems.Invalid("bucketSeconds", "list.between", ("field", "bucketSeconds"), ("min", 1), ("max", 3600));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var points = await c.QueryAsync<DeliveryPoint>(new CommandDefinition(
            """
            SELECT date_bin(make_interval(secs => @bucket), delivered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at,
                   count(*) AS delivered,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at) * 1000) AS p50Ms,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at) * 1000) AS p99Ms
            FROM notifications
            WHERE delivered_at >= now() - make_interval(mins => @span)
            GROUP BY 1
            ORDER BY 1
            """,
            new { bucket, span }, cancellationToken: ct));
        return TypedResults.Ok(new DeliverySeries(bucket, points.ToArray()));
    }

    private static async Task<Results<Ok<RecentNotification[]>, ValidationProblem>> Recent(int? limit, NpgsqlDataSource db, CancellationToken ct)
    {
        var take = limit ?? 50;
        if (take is < 1 or > 500)
        {
            return Problems.Invalid("limit", "list.limit", ("max", 500));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<RecentNotification>(new CommandDefinition(
            """
            SELECT n.id, n.user_id AS userId, u.email AS userEmail, n.kind, n.title, n.created_at AS createdAt,
                   n.delivered_at AS deliveredAt, n.delivered_device_class AS deliveredDeviceClass, n.read_at AS readAt,
                   coalesce((SELECT e.state FROM email_outbox e WHERE e.notification_id = n.id ORDER BY e.id DESC LIMIT 1), 'none') AS emailState
            FROM notifications n JOIN users u ON u.id = n.user_id
            ORDER BY n.id DESC
            LIMIT @take
            """,
            new { take }, cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }
}
