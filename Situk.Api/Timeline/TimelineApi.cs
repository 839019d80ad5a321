using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Contracts;

namespace Situk.Api.Timeline;

/// <summary>
/// <c>GET /notifications/{id}/timeline</c>: every durable step of one notification's delivery, for
/// its owner and for admins. Anyone else gets the same 404 as for an id that does not exist, so the
/// route does not reveal whose notifications exist.
/// </summary>
public static class TimelineApi
{
    public static IEndpointRouteBuilder MapTimeline(this IEndpointRouteBuilder routes)
    {
        // As on every id route, an id that is not an int64 names nothing: 404, like an unknown one.
        routes.MapGet("/notifications/{id:long}/timeline", Get)
            .WithTags("Timeline")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A notification's delivery timeline (committed, forwarded, written, acked, emailed, read), oldest first; its owner and admins.");
        return routes;
    }

    private static async Task<Results<Ok<NotificationTimeline>, ProblemHttpResult>> Get(
        long id, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        await using var c = await db.OpenConnectionAsync(ct);
        var found = id > 0 ? await TimelineStore.ReadAsync(c, id, ct) : null;
        if (found is not { } f || (f.OwnerId != caller.UserId && !caller.IsAdmin))
        {
            return Problems.NotFound("notification.not_found", ("id", id));
        }

        return TypedResults.Ok(f.Timeline);
    }
}
