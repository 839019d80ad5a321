using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Accounts;

/// <summary>
/// <c>GET /me</c> (who the token belongs to), <c>PATCH /me</c> (language and time zone) and
/// <c>POST /me/password</c>, for every signed-in user.
/// </summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/me").WithTags("Accounts").RequireAuthorization();
        me.MapGet("/", Get).WithSummary("The caller's account: id, email, name, role, whether the email is confirmed, when created.");
        me.MapPatch("/", Update)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Changes the caller's language (id, en) or IANA time zone; a field left out stays. Later notifications use them.");
        me.MapPost("/password", ChangePassword)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Changes the caller's password; the current one must be given (a wrong one counts as a failed sign-in).");
        return routes;
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Get(ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var id = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        return await UserStore.LoadAsync(c, id, ct) is { } found ? TypedResults.Ok(found) : Problems.NotFound("user.not_found", ("id", id));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Update(UpdateMeRequest body, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var id = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        return await UserStore.UpdateLocaleAsync(c, id, body.Language, body.TimeZone, ct) is { } updated
            ? TypedResults.Ok(updated)
            : Problems.NotFound("user.not_found", ("id", id));
    }

    /// <summary>
    /// The current password is checked under the sign-in throttle (<see cref="SignInThrottle"/>): a
    /// stolen token is not a way around the per-address and per-email limits on guessing it.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest body, ClaimsPrincipal user, NpgsqlDataSource db, SignInThrottle throttle, HttpContext http, CancellationToken ct)
    {
        var id = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        if (await UserStore.LoadAsync(c, id, ct) is not { } account)
        {
            return Problems.NotFound("user.not_found", ("id", id));
        }

        var address = ClientAddress.Key(http);
        if (!throttle.TryBegin(address, account.Email, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ClientAddress.RetryAfterSeconds(retryAfter);
            return Problems.Problem(StatusCodes.Status429TooManyRequests, "password.too_many_failures");
        }

        var hash = await UserStore.PasswordHashAsync(c, id, ct);
        if (!Passwords.Verify(hash, body.CurrentPassword))
        {
            throttle.Failed(address);
            return Problems.Problem(StatusCodes.Status403Forbidden, "password.wrong_current", new Dictionary<string, FieldText> { ["currentPassword"] = Problems.Field("field.wrong_password") });
        }

        throttle.Succeeded(account.Email);
        return await UserStore.ChangePasswordAsync(c, id, hash!, Passwords.Hash(body.NewPassword), ct)
            ? TypedResults.NoContent()
            : Problems.Conflict("password.concurrent_change");
    }
}
