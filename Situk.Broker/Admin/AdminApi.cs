using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Situk.Broker.Devices;
using Situk.Broker.Fanout;
using Situk.Broker.Hosting;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>
/// Management, on the internal listener only, behind the admin key: sessions, kicks, ephemeral publish,
/// stats and the Prometheus scrape.
/// </summary>
internal static class AdminApi
{
    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").On(Listener.Internal).AddEndpointFilter<AdminKeyFilter>();
        group.MapGet("/admin/sessions", ListSessions);
        group.MapDelete("/admin/sessions/{sessionId}", KickSession);
        group.MapDelete("/admin/users/{userId}/sessions", KickUser);
        group.MapDelete("/admin/users/{userId}/signins/{signInId}/sessions", SignOut);
        group.MapPost("/admin/publish", PublishAsync);
        group.MapGet("/admin/stats", Stats);
        group.MapGet("/metrics", ScrapeAsync);
        return group;
    }

    private static Ok<SessionInfo[]> ListSessions(SessionRegistry registry, string? userId) =>
        TypedResults.Ok(((IEnumerable<Session>)(userId is null ? registry.All : registry.ForUser(userId)))
            .OrderBy(s => s.ConnectedAt)
            .Select(s => s.ToInfo())
            .ToArray());

    private static Results<NoContent, ProblemHttpResult> KickSession(SessionRegistry registry, string sessionId)
    {
        if (registry.Find(sessionId) is not { } session)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No open session {sessionId}.");
        }

        session.Close(CloseCodes.KickedByAdmin, "closed by an admin");
        return TypedResults.NoContent();
    }

    private static Ok<ClosedCount> KickUser(SessionRegistry registry, string userId)
    {
        var closed = registry.ForUser(userId).Count(s => s.Close(CloseCodes.KickedByAdmin, "closed by an admin"));
        return TypedResults.Ok(new ClosedCount(closed));
    }

    /// <summary>
    /// The user signed out one device sign-in (token <c>sid</c>): its sessions close with 4004, the user's
    /// other sessions stay. Found through the user's index (at most <c>MaxSessionsPerUser</c> sessions).
    /// </summary>
    private static Ok<ClosedCount> SignOut(SessionRegistry registry, ILogger<DeviceEndpoint> logger, string userId, string signInId)
    {
        var closed = registry.ForUser(userId)
            .Where(s => string.Equals(s.SignInId, signInId, StringComparison.Ordinal))
            .Count(s => s.Close(CloseCodes.SignedOut, "signed out"));
        DeviceEndpointLog.SignedOut(logger, userId, signInId, closed);
        return TypedResults.Ok(new ClosedCount(closed));
    }

    private static async Task<Results<Ok<SessionCount>, ValidationProblem>> PublishAsync(
        HttpRequest request, Publisher publisher, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, errors) = await PublishRequestReader.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var n = body.Notification;
        var notification = new PushNotification(
            publisher.NextEphemeralId(), n.Kind, n.Title, n.Body, n.Link, n.Data, time.GetUtcNow(), NotificationKinds.Table[n.Kind].Priority);
        return TypedResults.Ok(new SessionCount(publisher.Publish(body.To, notification)));
    }

    private static Ok<BrokerStats> Stats(BrokerMetrics metrics, SessionRegistry registry) =>
        TypedResults.Ok(metrics.Snapshot(registry.Count, registry.UserCount));

    private static async Task ScrapeAsync(HttpContext context, PrometheusExport export)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await export.WriteAsync(context.Response.Body, context.RequestAborted);
    }
}
