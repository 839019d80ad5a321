using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Situk.Api.Dashboard;
using Situk.Api.Errors;

namespace Situk.Api.Auth;

public static partial class AuthApi
{
    private static void MapSignOut(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/auth/sign-out", SignOutAsync)
            .WithTags("Accounts")
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Sign out this device: its refresh tokens stop working and its sockets are closed (4004); other devices stay signed in.");

    /// <summary>
    /// Ends the sign-in named by the caller's <c>sid</c> claim. Answering 204 twice is fine: the second call
    /// revokes nothing and closes nothing. The broker away is 503 after the revocation is stored, so a retry
    /// closes the sockets.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem>> SignOutAsync(
        ClaimsPrincipal user, RefreshTokenStore refreshTokens, BrokerAdminClient broker, CancellationToken ct)
    {
        if (!Guid.TryParseExact(user.FindFirstValue(TokenIssuer.SignInClaim), "N", out var familyId))
        {
            return Problems.Invalid(TokenIssuer.SignInClaim, "signout.no_sign_in");
        }

        var caller = Caller.From(user);
        await refreshTokens.EndSignInAsync(familyId, caller.UserId, ct);
        await broker.KickSignInAsync(caller.UserId, familyId, ct);
        return TypedResults.NoContent();
    }
}
