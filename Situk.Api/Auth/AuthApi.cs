using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Accounts;
using Situk.Api.Errors;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Auth;

/// <summary>
/// <c>POST /auth/token</c>: email and password in, an access token for the API and the broker and a refresh
/// token out; <c>POST /auth/refresh</c> trades the refresh token for the next pair; <c>POST /auth/sign-out</c>
/// ends the device sign-in.
/// </summary>
public static partial class AuthApi
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/auth/token", IssueToken)
            .WithTags("Accounts")
            .AllowAnonymous()
            .RequireRateLimiting(TokenRateLimits.PerAddressPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(AccountsApi.MaxAnonymousBodyBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Sign in: email and password for an access token, a refresh token and the broker URL.");
        routes.MapRefresh();
        routes.MapSignOut();
        return routes;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest body,
        NpgsqlDataSource db,
        TokenIssuer issuer,
        SignInThrottle throttle,
        IOptions<ApiOptions> api,
        RefreshTokenStore refreshTokens,
        HttpContext http,
        CancellationToken ct)
    {
        // An email with no canonical form matches no account; it is throttled like any other text.
        var email = EmailAddresses.Canonical(body.Email) ?? body.Email.Trim().ToLowerInvariant();
        var address = ClientAddress.Key(http);
        if (!throttle.TryBegin(address, email, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ClientAddress.RetryAfterSeconds(retryAfter);
            return Problems.Problem(StatusCodes.Status429TooManyRequests, "auth.too_many_failures");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var user = await UserStore.FindByEmailAsync(connection, email, ct);
        if (user is null || !Passwords.Verify(user.PasswordHash, body.Password))
        {
            throttle.Failed(address);
            return Problems.Problem(StatusCodes.Status401Unauthorized, "auth.wrong_password");
        }

        throttle.Succeeded(email);
        if (user.Deactivated)
        {
            // Told only to whoever knows the password, after the same checks as any other answer.
            return Problems.Forbidden("account.deactivated");
        }

        var refresh = await refreshTokens.StartSignInAsync(connection, user.Id, ct);
        var (token, expiresAt) = issuer.Issue(user.Id, user.Role, refresh.FamilyId);
        return TypedResults.Ok(new TokenResponse(token, expiresAt, user.Id, user.Role, api.Value.ClientBrokerUrls()[0], refresh.Token, refresh.ExpiresAt, api.Value.ClientBrokerUrls()));
    }
}
