using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Dashboard;
using Situk.Api.Errors;

namespace Situk.Api.Accounts;

/// <summary>
/// Deactivation commits first, then asks the broker to close the user's sockets. The broker away is
/// not a reason to keep a user active: the answer is 200 with <c>socketsClosed: false</c>, and the
/// same POST sent again (it changes nothing stored the second time) closes them. Their access tokens
/// already fail on the API (<see cref="ActiveUsers"/>).
/// </summary>
public static partial class UsersApi
{
    private static async Task<Results<Ok<DeactivationDto>, ProblemHttpResult>> Deactivate(
        long id, DeactivationRequest body, ClaimsPrincipal caller, NpgsqlDataSource db, ActiveUsers active, BrokerAdminClient broker,
        TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        if (Caller.From(caller).UserId == id)
        {
            return Problems.Conflict("user.deactivate_self");
        }

        var reason = body.Reason; // stored as the admin wrote it
        DeactivationDto answer;
        await using (var c = await db.OpenConnectionAsync(ct))
        {
            if (await UserStore.DeactivateAsync(c, id, reason, time.GetUtcNow(), ct) is not { } done)
            {
                return Problems.NotFound("user.not_found", ("id", id));
            }

            answer = new DeactivationDto(done.User, done.Reason, SocketsClosed: false, ClosedSessions: null);
        }

        active.Forget(id);
        try
        {
            var closed = await broker.KickUserAsync(id, ct);
            answer = answer with { SocketsClosed = true, ClosedSessions = closed };
        }
        catch (BrokerUnreachableException ex)
        {
            LogSocketsLeftOpen(logs.CreateLogger(typeof(UsersApi)), id, ex.Message);
        }

        return TypedResults.Ok(answer);
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Reactivate(long id, NpgsqlDataSource db, ActiveUsers active, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        if (!await UserStore.ReactivateAsync(c, id, ct))
        {
            return Problems.NotFound("user.not_found", ("id", id));
        }

        active.Forget(id);
        return TypedResults.Ok((await UserStore.LoadAsync(c, id, ct))!);
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning,
        Message = "User {UserId} is deactivated but the broker could not close their sockets ({Error}); sending the deactivation again closes them")]
    private static partial void LogSocketsLeftOpen(ILogger logger, long userId, string error);
}
