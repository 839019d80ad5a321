using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Situk.Api.Dashboard;
using Situk.Api.Errors;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Auth;

public static partial class AuthApi
{
    private static void MapRefresh(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/auth/refresh", RefreshAsync)
            .WithTags("Accounts")
            .AllowAnonymous()
            .RequireRateLimiting(TokenRateLimits.RefreshPerAddressPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Accounts.AccountsApi.MaxAnonymousBodyBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Trade a refresh token (once) for a new access token and a new refresh token.");

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        RefreshRequest body,
        RefreshTokenStore refreshTokens,
        TokenIssuer issuer,
        BrokerAdminClient broker,
        IOptions<ApiOptions> api,
        ILoggerFactory logs,
        CancellationToken ct)
    {
        if (!RefreshTokenStore.IsWellFormed(body.RefreshToken))
        {
            return Problems.Invalid("refreshToken", "refresh.malformed");
        }

        var outcome = await refreshTokens.RotateAsync(body.RefreshToken, ct);
        if (outcome.Issued is { } issued)
        {
            var (token, expiresAt) = issuer.Issue(outcome.UserId, outcome.Role, issued.FamilyId);
            return TypedResults.Ok(new TokenResponse(token, expiresAt, outcome.UserId, outcome.Role, api.Value.ClientBrokerUrls()[0], issued.Token, issued.ExpiresAt, api.Value.ClientBrokerUrls()));
        }

        if (outcome.Refusal == RefreshRefusal.Reused)
        {
            // Someone holds a copy of this sign-in's tokens: its sockets go too, not only its refresh tokens.
            var logger = logs.CreateLogger(typeof(AuthApi));
            AuthLog.RefreshReused(logger, outcome.UserId, outcome.FamilyId);
            await KickSignInAsync(broker, outcome.UserId, outcome.FamilyId, logger, ct);
        }

        return Problems.Problem(StatusCodes.Status401Unauthorized, RefusalCode(outcome.Refusal));
    }

    private static string RefusalCode(RefreshRefusal refusal) => refusal switch
    {
        RefreshRefusal.Expired => "refresh.expired",
        RefreshRefusal.Revoked => "refresh.revoked",
        RefreshRefusal.Reused => "refresh.reused",
        RefreshRefusal.Deactivated => "account.deactivated",
        _ => "refresh.unknown",
    };

    /// <summary>Closes the sign-in's sockets; the broker away only delays that until their access tokens expire.</summary>
    private static async Task KickSignInAsync(BrokerAdminClient broker, long userId, Guid familyId, ILogger logger, CancellationToken ct)
    {
        try
        {
            await broker.KickSignInAsync(userId, familyId, ct);
        }
        catch (BrokerUnreachableException e)
        {
            AuthLog.KickFailed(logger, userId, familyId, e.Message);
        }
    }
}
