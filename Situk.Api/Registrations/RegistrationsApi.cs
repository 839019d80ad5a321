using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Accounts;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Api.Idempotency;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Api.Registrations;

/// <summary>
/// Requirements 3–11: a registration from APL-01 to the verdict. Each step is guarded by role (403),
/// by who may see the registration (404 for anyone else's), and by its status (409 naming it); the
/// row is locked for the step, and the step's notifications are written in the same transaction.
/// </summary>
public static partial class RegistrationsApi
{
    /// <summary>Page size of <c>GET /registrations</c> when <c>limit</c> is not given, and its most.</summary>
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    /// <summary>The longest <c>q</c>: APL-01 names are at most 200 characters, identity numbers 32.</summary>
    public const int MaxQueryLength = 200;

    private sealed record ScheduleWindow(long SchemeId, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int Quota);

    public static IEndpointRouteBuilder MapRegistrations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/registrations").WithTags("Registrations").RequireAuthorization();

        group.MapPost("/", Register).RequireAuthorization(AuthSetup.Asesi)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("3. An asesi registers on a schedule within its window and fills APL-01.");
        group.MapGet("/", List).WithSummary("A page of the registrations the caller may see (admin: all; asesor: assigned to them, and the verification queue "
            + "when asesors may verify; asesi: own), "
            + "by id after a cursor (limit 1–200, default 50), filtered by status, schemeId, scheduleId, asesorId and q (APL-01 name or identity number).");
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One registration with APL-01, APL-02, records and verdict.");

        group.MapPost("/{id:long}/verification", Verify).RequireAuthorization(RegistrationSetup.VerifierPolicy(routes)).WithStepProblems()
            .WithSummary("4. An admin (and an asesor when Situk:Registrations:AsesorsMayVerify) verifies APL-01: verified or rejected.");
        group.MapPost("/{id:long}/withdrawal", Withdraw).RequireAuthorization(AuthSetup.Asesi)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The asesi withdraws before an asesor is assigned: withdrawn, the seat freed, the admins told.");
        group.MapPost("/{id:long}/assignment", Assign).RequireAuthorization(AuthSetup.Admin).WithStepProblems()
            .WithSummary("5. An admin assigns an asesor.");
        group.MapPut("/{id:long}/apl02", SubmitApl02).RequireAuthorization(AuthSetup.Asesi).WithStepProblems()
            .WithSummary("6. The asesi answers APL-02, once for every criterion of the scheme.");
        group.MapPost("/{id:long}/apl02/review", ReviewApl02).RequireAuthorization(AuthSetup.Asesor).WithStepProblems()
            .WithSummary("7. The asesor reviews APL-02: eligible, or not yet competent when any answer says so.");
        group.MapPost("/{id:long}/assessment", ScheduleAssessment).RequireAuthorization(AuthSetup.Asesor).WithStepProblems()
            .WithSummary("8. The asesor sets the assessment date.");
        group.MapPut("/{id:long}/assessment", MoveAssessment).RequireAuthorization(AuthSetup.AdminOrAsesor).WithStepProblems()
            .WithSummary("8. The assigned asesor or an admin moves a scheduled assessment; the asesi is told by push and email.");
        group.MapPut("/{id:long}/records", SaveRecords).RequireAuthorization(AuthSetup.Asesor).WithStepProblems()
            .WithSummary("9–10. The asesor records the observation checklist, portfolio evaluation and notes, from the assessment date on.");
        group.MapPost("/{id:long}/verdict", DeclareVerdict).RequireAuthorization(AuthSetup.Asesor).WithStepProblems()
            .WithSummary("11. The asesor declares competent or not yet competent, from the assessment date on, once the records are complete.");
        return routes;
    }

    private static RouteHandlerBuilder WithStepProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<Results<Created<RegistrationStatusDto>, ProblemHttpResult, ReplayedAnswer>> Register(
        RegisterRequest body, ClaimsPrincipal user, HttpRequest request, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CancellationToken ct)
    {
        var me = Caller.From(user);
        var (key, badKey) = IdempotencyKeys.Read(request);
        if (badKey is not null)
        {
            return badKey;
        }

        await using var c = await db.OpenConnectionAsync(ct);
        if (!await UserStore.IsVerifiedAsync(c, me.UserId, ct))
        {
            return Problems.Forbidden("account.unverified");
        }

        await using var tx = await c.BeginTransactionAsync(ct);
        if (key is not null)
        {
            var (replay, refused) = await IdempotencyKeys.ClaimAsync(c, tx, me.UserId, "registrations", key, IdempotencyKeys.Fingerprint(body), ct);
            if (replay is not null || refused is not null)
            {
                return replay is not null ? replay : refused!;
            }
        }

        // The schedule row lock serialises registrations on one schedule, so the quota check below is race-free.
        var s = await c.QuerySingleOrDefaultAsync<ScheduleWindow>(new CommandDefinition(
            "SELECT scheme_id AS schemeId, opens_at AS opensAt, closes_at AS closesAt, quota FROM schedules WHERE id = @ScheduleId FOR UPDATE",
            new { body.ScheduleId }, tx, cancellationToken: ct));
        if (s is null)
        {
            return Problems.Unprocessable("schedule.unknown", new Dictionary<string, FieldText> { ["scheduleId"] = Problems.Field("field.not_found") }, ("id", body.ScheduleId));
        }

        if (PriorRefusal(body.ScheduleId, s, await PriorAsync(c, tx, me.UserId, s.SchemeId, ct)) is { } prior)
        {
            return prior;
        }

        var now = time.GetUtcNow();
        if (now < s.OpensAt || now >= s.ClosesAt)
        {
            return Problems.Unprocessable("schedule.closed", ("id", body.ScheduleId), ("opensAt", s.OpensAt), ("closesAt", s.ClosesAt));
        }

        var taken = await c.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT count(*)::int FROM registrations r WHERE r.schedule_id = @ScheduleId AND {RegistrationStatus.HoldsSeatSql}",
            new { body.ScheduleId }, tx, cancellationToken: ct));
        if (taken >= s.Quota)
        {
            return Problems.Unprocessable("schedule.full", ("id", body.ScheduleId), ("quota", s.Quota));
        }

        long id;
        try
        {
            id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO registrations (schedule_id, asesi_id, apl01) VALUES (@ScheduleId, @me, @apl01::jsonb) RETURNING id",
                new { body.ScheduleId, me = me.UserId, apl01 = JsonSerializer.Serialize(body.Apl01, JsonSerializerOptions.Web) }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (IsOneActiveRule(e))
        {
            // A registration of the same asesi for the same scheme, on another schedule (another lock), committed first.
            await tx.RollbackAsync(ct);
            return PriorRefusal(body.ScheduleId, s, await PriorAsync(c, null, me.UserId, s.SchemeId, ct))
                ?? Problems.Conflict("registration.concurrent");
        }

        var locked = (await RegistrationStore.LockAsync(c, tx, id, ct))!;
        var admins = await c.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM users WHERE role = @role ORDER BY id", new { role = Roles.Admin }, tx, cancellationToken: ct));
        var written = await NotificationWriter.AddAsync(c, tx, RegistrationNotices.Submitted(locked, admins), pushes, ct);
        var created = new RegistrationStatusDto(id, RegistrationStatus.Submitted);
        var location = $"/api/v1/registrations/{id}";
        if (key is not null)
        {
            await IdempotencyKeys.CompleteAsync(c, tx, me.UserId, "registrations", key, StatusCodes.Status201Created, created, location, ct);
        }

        await tx.CommitAsync(ct);
        pushes.Send(written.Pushes);
        return TypedResults.Created(location, created);
    }

    private static async Task<Results<Ok<RegistrationPage>, ValidationProblem>> List(
        long? after, int? limit, string? status, long? schemeId, long? scheduleId, long? asesorId, string? q,
        ClaimsPrincipal user, IOptions<RegistrationOptions> options, NpgsqlDataSource db, CancellationToken ct)
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

        if (status is not null && !RegistrationStatus.IsKnown(status))
        {
            return Problems.Invalid("status", "list.status", ("statuses", string.Join(", ", RegistrationStatus.All)));
        }

        foreach (var (name, value) in new[] { ("schemeId", schemeId), ("scheduleId", scheduleId), ("asesorId", asesorId) })
        {
            if (value is < 1)
            {
                return Problems.Invalid(name, "list.positive_id", ("field", name));
            }
        }

        var query = q?.Trim();
        if (q is not null && query!.Length is < 1 or > MaxQueryLength)
        {
            return Problems.Invalid("q", "registrations.query", ("max", MaxQueryLength));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var filter = new RegistrationFilter(after ?? 0, status, schemeId, scheduleId, asesorId, query);
        var rows = await RegistrationStore.ListAsync(c, Caller.From(user), filter, take + 1, options.Value.AsesorsMayVerify, ct);
        var items = rows.Take(take).ToArray();
        return TypedResults.Ok(new RegistrationPage(items, rows.Length > take ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<RegistrationDto>, ProblemHttpResult>> Get(
        long id, ClaimsPrincipal user, IOptions<RegistrationOptions> options, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var registration = await RegistrationStore.LoadAsync(c, id, ct);
        return registration is not null
            && RegistrationStore.Visible(Caller.From(user), registration.AsesiId, registration.AsesorId, registration.Status, options.Value.AsesorsMayVerify)
            ? TypedResults.Ok(registration)
            : Problems.NotFound("registration.not_found", ("id", id));
    }
}
