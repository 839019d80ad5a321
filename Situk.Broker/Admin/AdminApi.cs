using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Situk.Broker.Cluster;
using Situk.Broker.Fanout;
using Situk.Broker.Hosting;
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
        // The services a publish needs are singletons: taken from the root provider, so a publish (the one management
        // call made at a rate) creates no request scope; the other routes are rare and bind them as usual.
        var services = app.ServiceProvider;
        group.MapPost("/admin/publish", (HttpRequest request, HttpResponse response, CancellationToken ct) => PublishAsync(
            request, response, services.GetRequiredService<AdminScope>(), services.GetRequiredService<Publisher>(), services.GetRequiredService<TimeProvider>(), ct));
        group.MapGet("/admin/stats", Stats);
        group.MapGet("/metrics", ScrapeAsync);
        return group;
    }

    /// <summary>Names, in a cluster, the brokers that did not answer in time (comma-separated); absent when all did.</summary>
    public const string MissingHeader = "Situk-Missing-Brokers";

    /// <summary>In a cluster, <c>node=count</c> for each broker whose sessions list was cut to fit one NATS message (its newest rows left out).</summary>
    public const string OmittedHeader = "Situk-Sessions-Omitted";

    private static async Task<Ok<SessionInfo[]>> ListSessions(AdminScope scope, HttpResponse response, string? userId, CancellationToken ct)
    {
        var gathered = await scope.AskAsync(AdminOps.Sessions, new AdminQuery(UserId: userId), ct);
        NameMissing(response, gathered);
        if (gathered.Answers.Where(a => a.Omitted > 0).Select(a => $"{a.Node}={a.Omitted}").ToArray() is { Length: > 0 } omitted)
        {
            response.Headers[OmittedHeader] = string.Join(",", omitted);
        }

        return TypedResults.Ok(gathered.Answers
            .SelectMany(a => a.Sessions ?? [])
            .OrderBy(s => s.ConnectedAt)
            .ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> KickSession(AdminScope scope, HttpResponse response, string sessionId, CancellationToken ct)
    {
        var gathered = await scope.AskAsync(AdminOps.KickSession, new AdminQuery(SessionId: sessionId), ct);
        NameMissing(response, gathered);
        if (Closed(gathered) == 0)
        {
            var detail = gathered.Missing.Length == 0
                ? $"No open session {sessionId}."
                : $"No open session {sessionId} on the brokers that answered; no answer from {string.Join(", ", gathered.Missing)}.";
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<ClosedCount>> KickUser(AdminScope scope, HttpResponse response, string userId, CancellationToken ct) =>
        Count(response, await scope.AskAsync(AdminOps.KickUser, new AdminQuery(UserId: userId), ct));

    /// <summary>
    /// The user signed out one device sign-in (token <c>sid</c>): its sessions close with 4004 on every broker, the
    /// user's other sessions stay.
    /// </summary>
    private static async Task<Ok<ClosedCount>> SignOut(AdminScope scope, HttpResponse response, string userId, string signInId, CancellationToken ct) =>
        Count(response, await scope.AskAsync(AdminOps.KickSignIn, new AdminQuery(UserId: userId, SignInId: signInId), ct));

    /// <summary>
    /// An ephemeral publish, given its id and time here. In a cluster every broker delivers it to its own sessions
    /// of the audience (a scatter-gather like the kicks): the answer counts them all and names the brokers that
    /// did not answer in time (which may still have delivered it).
    /// </summary>
    private static async Task<Results<SessionCountAnswer, Ok<SessionCount>, ValidationProblem>> PublishAsync(
        HttpRequest request, HttpResponse response, AdminScope scope, Publisher publisher, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, errors) = await PublishRequestReader.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var n = body.Notification;
        var notification = new PushNotification(
            publisher.NextEphemeralId(), n.Kind, n.Title, n.Body, n.Link, n.Data, time.GetUtcNow(), NotificationKinds.Table[n.Kind].Priority);
        var gathered = await scope.AskAsync(AdminOps.Publish, new AdminQuery(To: body.To, Notification: notification), cancellationToken);
        NameMissing(response, gathered);
        var sessions = gathered.Answers.Sum(a => a.Delivered ?? 0);
        return gathered.Missing.Length == 0 ? new SessionCountAnswer(sessions) : TypedResults.Ok(new SessionCount(sessions, gathered.Missing));
    }

    /// <summary>A single broker's figures as before; in a cluster the total, one row per broker and the brokers missing.</summary>
    private static async Task<Ok<BrokerStats>> Stats(AdminScope scope, HttpResponse response, CancellationToken ct)
    {
        var gathered = await scope.AskAsync(AdminOps.Stats, new AdminQuery(), ct);
        NameMissing(response, gathered);
        var rows = gathered.Answers.Select(a => a.Stats).OfType<BrokerStats>().ToArray();
        return TypedResults.Ok(scope.IsCluster ? ClusterStats.Total(rows, gathered.Missing) : rows[0]);
    }

    private static Ok<ClosedCount> Count(HttpResponse response, Gathered gathered)
    {
        NameMissing(response, gathered);
        return TypedResults.Ok(new ClosedCount(Closed(gathered), gathered.Missing.Length == 0 ? null : gathered.Missing));
    }

    private static int Closed(Gathered gathered) => gathered.Answers.Sum(a => a.Closed ?? 0);

    private static void NameMissing(HttpResponse response, Gathered gathered)
    {
        if (gathered.Missing.Length > 0)
        {
            response.Headers[MissingHeader] = string.Join(",", gathered.Missing);
        }
    }

    private static async Task ScrapeAsync(HttpContext context, PrometheusExport export)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await export.WriteAsync(context.Response.Body, context.RequestAborted);
    }
}
