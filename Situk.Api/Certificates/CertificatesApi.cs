using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Certificates;

/// <summary>
/// Certificates after they are issued (a competent verdict issues them, <see cref="CertificateIssuer"/>):
/// the public check anyone may run, the PDF for its holder and admins, revocation by an admin, and the
/// lists. A number holds <c>/</c>: in a path it travels as <c>%2F</c> (<c>JWD%2F2026%2F00001</c>); the
/// public check also takes it with plain slashes.
/// </summary>
public static class CertificatesApi
{
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    public static IEndpointRouteBuilder MapCertificates(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/certificates").WithTags("Certificates");
        group.MapGet("/", List).RequireAuthorization(AuthSetup.Admin)
            .WithSummary("Admins: a page of certificates by id after a cursor (limit 1–200, default 50), filtered by schemeId and status (valid, expired, revoked).");
        group.MapGet("/{number}/pdf", Pdf).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Asesi))
            .Produces(StatusCodes.Status200OK, contentType: "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The certificate as PDF, for its holder and admins (the number URL-encoded, '/' as %2F); 404 for anyone else's.");
        group.MapPost("/{number}/revocation", Revoke).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An admin revokes a certificate with a reason; its holder is told by push and email. 409 when already revoked.");
        group.MapGet("/{**number}", Check).AllowAnonymous().RequireRateLimiting(CertificatesSetup.CheckPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Public, no account: whether a certificate is valid, expired or revoked, with holder and scheme names. "
                + "The number URL-encoded ('/' as %2F) or with plain slashes. Rate-limited per client address.");
        routes.MapGet("/me/certificates", Mine).WithTags("Certificates").RequireAuthorization(AuthSetup.Asesi)
            .WithSummary("The caller's (asesi's) certificates by id after a cursor, with status.");
        return routes;
    }

    /// <summary>
    /// The number a path segment names. Kestrel decodes every escape in a path except <c>%2F</c>, which it
    /// leaves as it is so that segments keep their meaning; that one is undone here.
    /// </summary>
    public static string NumberFromRoute(string? segment) =>
        (segment ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static async Task<Results<Ok<CertificateCheckDto>, ProblemHttpResult>> Check(string? number, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var wanted = NumberFromRoute(number);
        await using var c = await db.OpenConnectionAsync(ct);
        return await CertificateStore.FindAsync(c, wanted, time.GetUtcNow(), ct) is { } found
            ? TypedResults.Ok(new CertificateCheckDto(found.Number, found.Status, found.HolderName, found.SchemeName, found.IssuedAt, found.ExpiresAt, found.RevokedAt))
            : Problems.NotFound("certificate.not_found", ("number", wanted));
    }

    /// <summary>The holder and admins get the PDF; anyone else the same 404 as for an unknown number, so existence is not revealed.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Pdf(
        string number, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider time, IOptions<LspOptions> lsp, PublicLinks links, CancellationToken ct)
    {
        var wanted = NumberFromRoute(number);
        var me = Caller.From(user);
        await using var c = await db.OpenConnectionAsync(ct);
        var found = await CertificateStore.FindAsync(c, wanted, time.GetUtcNow(), ct);
        if (found is null || !(me.IsAdmin || found.HolderId == me.UserId))
        {
            return Problems.NotFound("certificate.not_found", ("number", wanted));
        }

        var pdf = CertificatePdf.Render(found, lsp.Value.Name, links.Absolute(CertificateNotices.CheckPath(found.Number))!);
        return TypedResults.File(pdf, "application/pdf", found.Number.Replace('/', '-') + ".pdf");
    }

    private static async Task<Results<Ok<CertificateDto>, ValidationProblem, ProblemHttpResult>> Revoke(
        string number, RevocationRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CancellationToken ct)
    {
        // Stored and told exactly as written, like every text; only a reason that says nothing is refused.
        var reason = body.Reason;
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Problems.Invalid("reason", "certificate.reason_blank");
        }

        var wanted = NumberFromRoute(number);
        var now = time.GetUtcNow();
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var found = await CertificateStore.FindAsync(c, wanted, now, ct, tx, forUpdate: true);
        if (found is null)
        {
            return Problems.NotFound("certificate.not_found", ("number", wanted));
        }

        if (found.RevokedAt is { } revokedAt)
        {
            return Problems.Conflict(
                "certificate.already_revoked",
                new Dictionary<string, object?> { ["currentStatus"] = CertificateStatus.Revoked },
                ("number", found.Number),
                ("day", CertificateNotices.Day(revokedAt)));
        }

        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE certificates SET revoked_at = @now, revoked_by = @by, revocation_reason = @reason WHERE id = @Id",
            new { now, by = Caller.From(user).UserId, reason, found.Id }, tx, cancellationToken: ct));
        var written = await NotificationWriter.AddAsync(c, tx, [CertificateNotices.Revoked(found.HolderId, found.RegistrationId, found.Number, found.SchemeName, reason)], pushes, ct);
        await tx.CommitAsync(ct);
        pushes.Send(written.Pushes);
        return TypedResults.Ok(found with { Status = CertificateStatus.Revoked, RevokedAt = now, RevocationReason = reason });
    }

    private static Task<Results<Ok<CertificatePage>, ValidationProblem>> List(
        long? after, int? limit, long? schemeId, string? status, NpgsqlDataSource db, TimeProvider time, CancellationToken ct) =>
        PageAsync(after, limit, holderId: null, schemeId, status, db, time, ct);

    private static Task<Results<Ok<CertificatePage>, ValidationProblem>> Mine(
        long? after, int? limit, string? status, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider time, CancellationToken ct) =>
        PageAsync(after, limit, Caller.From(user).UserId, schemeId: null, status, db, time, ct);

    private static async Task<Results<Ok<CertificatePage>, ValidationProblem>> PageAsync(
        long? after, int? limit, long? holderId, long? schemeId, string? status, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var take = limit ?? DefaultListLimit;
        if (take is < 1 or > MaxListLimit)
        {
            return Problems.Invalid("limit", "list.limit", ("max", MaxListLimit));
        }

        if (after is < 0)
        {
            return Problems.Invalid("after", "list.after_negative");
        }

        if (schemeId is < 1)
        {
            return Problems.Invalid("schemeId", "list.positive_id", ("field", "schemeId"));
        }

        if (status is not null && !CertificateStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return Problems.Invalid("status", "list.status", ("statuses", string.Join(", ", CertificateStatus.All)));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await CertificateStore.ListAsync(c, after ?? 0, holderId, schemeId, status, time.GetUtcNow(), take + 1, ct);
        var items = rows.Take(take).ToArray();
        return TypedResults.Ok(new CertificatePage(items, rows.Length > take ? items[^1].Id : null));
    }
}
