using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Notifications;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary>
/// <c>POST /accounts</c> (asesi sign-up, anyone), <c>POST /accounts/verify</c> (the emailed link) and
/// <c>POST /asesors</c> (admin).
/// </summary>
public static class AccountsApi
{
    /// <summary>The largest body the anonymous account routes read: a sign-up is a few hundred bytes.</summary>
    public const long MaxAnonymousBodyBytes = 16 * 1024;

    private const string AcceptedDetail =
        "If this address can be used, a message is on its way to it: a link to confirm the address, or a note that an account already exists.";

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Accounts");

        group.MapPost("/accounts", SignUp)
            .AllowAnonymous()
            .RequireRateLimiting(TokenRateLimits.SignUpPerAddressPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(MaxAnonymousBodyBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("An asesi signs up; the address is confirmed by an emailed link. The answer is the same whether or not the email is taken.");

        group.MapPost("/accounts/verify", Verify)
            .AllowAnonymous()
            .RequireRateLimiting(TokenRateLimits.PerAddressPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(MaxAnonymousBodyBytes))
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Confirms an email address with the token from the sign-up email (single use, expires).");

        group.MapPost("/asesors", CreateAsesor)
            .RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An admin creates an asesor account.");

        routes.MapPasswordReset();
        routes.MapMe();
        routes.MapUsers();
        return routes;
    }

    private static async Task<Accepted<SignUpAccepted>> SignUp(
        SignUpRequest body, NpgsqlDataSource db, IOptions<AccountOptions> options, IOptions<TextOptions> texts, NotificationEmail emails, TimeProvider time, CancellationToken ct)
    {
        var email = EmailAddresses.Canonical(body.Email)!; // validated
        var accepted = TypedResults.Accepted((string?)null, new SignUpAccepted(email, AcceptedDetail));
        await using var c = await db.OpenConnectionAsync(ct);

        // Who holds the address is looked up before the (deliberately slow) password hash is computed.
        var holder = await UserStore.FindHolderAsync(c, email, ct);
        var hash = holder is null ? Passwords.Hash(body.Password) : null;
        await using var tx = await c.BeginTransactionAsync(ct);
        var created = hash is null ? null : await UserStore.CreateAsync(c, tx, body.FullName, email, hash, body.Phone, Roles.Asesi, verified: false, texts.Value.For(body.Language, body.TimeZone), ct);
        if (created is { } id)
        {
            var expiresAt = time.GetUtcNow() + options.Value.VerificationLifetime;
            var token = await EmailVerification.IssueAsync(c, tx, id, expiresAt, ct);
            await AccountNotices.VerifyAsync(c, tx, emails, id, email, token, expiresAt, ct);
        }
        else
        {
            // Taken (or taken a moment ago by a concurrent sign-up): tell the owner, at most once per interval.
            holder ??= await UserStore.FindHolderAsync(c, email, ct);
            if (holder is not null && !await AccountNotices.SentRecentlyAsync(c, tx, holder.Id, options.Value.EmailInterval, ct))
            {
                if (holder.Verified)
                {
                    await AccountNotices.AlreadyRegisteredAsync(c, tx, emails, holder.Id, email, ct);
                }
                else
                {
                    // Not proved yet: a fresh link, so that signing up again is how a lost link is replaced.
                    var expiresAt = time.GetUtcNow() + options.Value.VerificationLifetime;
                    var token = await EmailVerification.IssueAsync(c, tx, holder.Id, expiresAt, ct);
                    await AccountNotices.VerifyAsync(c, tx, emails, holder.Id, email, token, expiresAt, ct);
                }
            }
        }

        await tx.CommitAsync(ct);
        return accepted;
    }

    private static async Task<Results<Ok<EmailVerifiedDto>, ProblemHttpResult>> Verify(
        VerifyEmailRequest body, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var (outcome, userId) = await EmailVerification.UseAsync(c, body.Token.Trim(), time.GetUtcNow(), ct);
        return outcome switch
        {
            EmailVerification.Outcome.Verified => TypedResults.Ok(new EmailVerifiedDto(userId, Verified: true)),
            EmailVerification.Outcome.Used => Refused("verify.used"),
            EmailVerification.Outcome.Expired => Refused("verify.expired"),
            _ => Refused("verify.unknown"),
        };
    }

    private static ProblemHttpResult Refused(string code) =>
        Problems.Problem(StatusCodes.Status422UnprocessableEntity, code, "token");

    private static async Task<Results<Created<AccountDto>, ProblemHttpResult>> CreateAsesor(NewAsesorRequest body, NpgsqlDataSource db, IOptions<TextOptions> texts, CancellationToken ct)
    {
        var email = EmailAddresses.Canonical(body.Email)!; // validated
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UserStore.FindHolderAsync(connection, email, ct) is not null)
        {
            return Problems.Conflict("account.email_taken", ("email", email));
        }

        // An admin vouches for the address of an asesor they create.
        var id = await UserStore.CreateAsync(connection, null, body.FullName, email, Passwords.Hash(body.Password), body.Phone, Roles.Asesor, verified: true, texts.Value.For(body.Language, body.TimeZone), ct);
        return id is { } created
            ? TypedResults.Created($"/api/v1/users/{created}", new AccountDto(created, email, Roles.Asesor))
            : Problems.Conflict("account.email_taken", ("email", email));
    }
}
