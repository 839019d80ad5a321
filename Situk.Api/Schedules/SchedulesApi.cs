using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Schedules;

/// <summary>Body of <c>POST /schedules</c> and <c>PUT /schedules/{id}</c>: a registration window for one scheme at one place.</summary>
public sealed record ScheduleRequest(
    [Range(1, long.MaxValue)] long SchemeId,
    [Range(1, long.MaxValue)] long PlaceId,
    [Required] DateTimeOffset? OpensAt,
    [Required] DateTimeOffset? ClosesAt,
    [Range(1, 100_000)] int Quota);

/// <summary>A schedule; <see cref="Registered"/> counts the seats taken (rejected and withdrawn registrations free theirs).</summary>
public sealed record ScheduleDto(long Id, long SchemeId, long PlaceId, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int Quota, int Registered);

/// <summary>Requirement 2: admins open, change, close early and delete registration windows per scheme; anyone signed in can list them.</summary>
public static partial class SchedulesApi
{
    private const string Select = """
        SELECT s.id, s.scheme_id AS schemeId, s.place_id AS placeId, s.opens_at AS opensAt, s.closes_at AS closesAt, s.quota,
               (SELECT count(*)::int FROM registrations r WHERE r.schedule_id = s.id AND r.status NOT IN ('rejected', 'withdrawn')) AS registered
        FROM schedules s
        """;

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/schedules").WithTags("Schedules").RequireAuthorization();

        group.MapGet("/", List).WithSummary("A page of schedules by opensAt then id after a cursor (limit 1–200, default 50), "
            + "filtered by schemeId, placeId, openNow, and a from/to window they overlap.");
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Opens a registration window.");
        group.MapPut("/{id:long}", Update).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Changes a schedule; the quota not below the seats taken, the scheme not once anyone registered.");
        group.MapPost("/{id:long}/close", Close).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Ends registration now: closesAt becomes the current time if it is later.");
        group.MapDelete("/{id:long}", Delete).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Deletes a schedule nobody registered on.");
        return routes;
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ScheduleDto>(new CommandDefinition($"{Select} WHERE s.id = @id", new { id }, cancellationToken: ct));
        return row is null ? Problems.NotFound("schedule.not_found", ("id", id)) : TypedResults.Ok(row);
    }

    private static async Task<Results<Created<ScheduleDto>, ValidationProblem, ProblemHttpResult>> Create(ScheduleRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        if (body.ClosesAt <= body.OpensAt)
        {
            return Problems.Invalid("closesAt", "schedule.closes_before_opens");
        }

        await using var c = await db.OpenConnectionAsync(ct);
        try
        {
            var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO schedules (scheme_id, place_id, opens_at, closes_at, quota)
                VALUES (@SchemeId, @PlaceId, @OpensAt, @ClosesAt, @Quota) RETURNING id
                """,
                body, cancellationToken: ct));
            var row = await ReadAsync(c, null, id, ct);
            return TypedResults.Created($"/api/v1/schedules/{id}", row);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return UnknownReference(e);
        }
    }

    /// <summary>422 naming <c>placeId</c> or <c>schemeId</c>, whichever foreign key the row broke.</summary>
    private static ProblemHttpResult UnknownReference(PostgresException e)
    {
        var field = e.ConstraintName?.Contains("place", StringComparison.Ordinal) == true ? "placeId" : "schemeId";
        return Problems.Unprocessable("schedule.unknown_reference", new Dictionary<string, FieldText> { [field] = Problems.Field("field.not_found") }, ("field", field));
    }

    private static Task<ScheduleDto> ReadAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long id, CancellationToken ct) =>
        c.QuerySingleAsync<ScheduleDto>(new CommandDefinition($"{Select} WHERE s.id = @id", new { id }, tx, cancellationToken: ct));
}
