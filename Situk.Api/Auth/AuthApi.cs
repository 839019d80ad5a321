using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Accounts;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Auth;

/// <summary><c>POST /auth/token</c>: email and password in, an access token for the API and the broker out.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/auth/token", IssueToken)
            .WithTags("Accounts")
            .AllowAnonymous()
            .RequireRateLimiting(TokenRateLimits.PerAddressPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Sign in: email and password for an access token and the broker URL.");
        return routes;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest body,
        NpgsqlDataSource db,
        TokenIssuer issuer,
        TokenRateLimits.EmailLimiter emailLimiter,
        IOptions<ApiOptions> api,
        HttpContext http,
        CancellationToken ct)
    {
        if (!emailLimiter.TryAcquire(body.Email, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many requests",
                detail: "Too many sign-in attempts for this email; try again later.");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var user = await UserStore.FindByEmailAsync(connection, body.Email, ct);
        if (user is null || !Passwords.Verify(user.PasswordHash, body.Password))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "The email or password is wrong.");
        }

        var (token, expiresAt) = issuer.Issue(user.Id, user.Role);
        return TypedResults.Ok(new TokenResponse(token, expiresAt, user.Id, user.Role, api.Value.PublicBrokerUrl));
    }
}
