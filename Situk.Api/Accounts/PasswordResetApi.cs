using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Notifications;

namespace Situk.Api.Accounts;

/// <summary>
/// <c>POST /accounts/password-reset</c> (anyone: the emailed link) and
/// <c>POST /accounts/password-reset/confirm</c> (the token and a new password).
/// </summary>
public static class PasswordResetApi
{
    private const string AcceptedDetail =
        "If this address has an active account, a link to choose a new password is on its way to it. The link works once, within one hour.";

    public static IEndpointRouteBuilder MapPasswordReset(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/accounts/password-reset").WithTags("Accounts").AllowAnonymous()
            .WithMetadata(new RequestSizeLimitAttribute(AccountsApi.MaxAnonymousBodyBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/", Request)
            .RequireRateLimiting(AccountsSetup.PasswordResetPerAddressPolicy)
            .WithSummary("Emails a single-use link to reset the password. The answer is the same whether or not the address has an account.");
        group.MapPost("/confirm", Confirm)
            .RequireRateLimiting(TokenRateLimits.PerAddressPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("Sets a new password with the token from the reset email (single use, one hour).");
        return routes;
    }

    /// <summary>
    /// The same shape as a sign-up: one lookup, one transaction, the same 202 whether or not the
    /// address has an account. At most one reset email per account in <c>Situk:Accounts:EmailInterval</c>,
    /// and none to a deactivated account.
    /// </summary>
    private static async Task<Accepted<PasswordResetAccepted>> Request(
        PasswordResetRequest body, NpgsqlDataSource db, IOptions<AccountOptions> options, NotificationEmail emails, TimeProvider time, CancellationToken ct)
    {
        var email = EmailAddresses.Canonical(body.Email)!; // validated
        await using var c = await db.OpenConnectionAsync(ct);
        var holder = await UserStore.FindByEmailAsync(c, email, ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (holder is { Deactivated: false } && !await AccountNotices.ResetSentRecentlyAsync(c, tx, holder.Id, options.Value.EmailInterval, ct))
        {
            var expiresAt = time.GetUtcNow() + options.Value.PasswordResetLifetime;
            var token = await PasswordReset.IssueAsync(c, tx, holder.Id, expiresAt, ct);
            await AccountNotices.ResetAsync(c, tx, emails, holder.Id, email, token, expiresAt, ct);
        }

        await tx.CommitAsync(ct);
        return TypedResults.Accepted((string?)null, new PasswordResetAccepted(AcceptedDetail));
    }

    private static async Task<Results<Ok<PasswordResetDone>, ProblemHttpResult>> Confirm(
        PasswordResetConfirmRequest body, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        // The slow hash comes first, whatever the token turns out to be.
        var hash = Passwords.Hash(body.NewPassword);
        await using var c = await db.OpenConnectionAsync(ct);
        return await PasswordReset.UseAsync(c, body.Token.Trim(), hash, time.GetUtcNow(), ct) switch
        {
            PasswordReset.Outcome.Changed => TypedResults.Ok(new PasswordResetDone(PasswordChanged: true)),
            PasswordReset.Outcome.Used => Problems.Problem(StatusCodes.Status410Gone, "reset.used", "token"),
            PasswordReset.Outcome.Expired => Problems.Problem(StatusCodes.Status410Gone, "reset.expired", "token"),
            _ => Problems.Problem(StatusCodes.Status400BadRequest, "reset.unknown", "token"),
        };
    }
}
