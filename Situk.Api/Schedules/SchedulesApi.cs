using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Schedules;

/// <summary>Body of <c>POST /schedules</c>: a registration window for one scheme at one place.</summary>
public sealed record ScheduleRequest(
    [Range(1, long.MaxValue)] long SchemeId,
    [Range(1, long.MaxValue)] long PlaceId,
    [Required] DateTimeOffset? OpensAt,
    [Required] DateTimeOffset? ClosesAt,
    [Range(1, 100_000)] int Quota);

/// <summary>A schedule; <see cref="Registered"/> counts the seats taken (rejected registrations free theirs).</summary>
public sealed record ScheduleDto(long Id, long SchemeId, long PlaceId, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int Quota, int Registered);

/// <summary>Requirement 2: admins open registration windows per scheme; anyone signed in can list them.</summary>
public static class SchedulesApi
{
    private const string Select = """
        SELECT s.id, s.scheme_id AS schemeId, s.place_id AS placeId, s.opens_at AS opensAt, s.closes_at AS closesAt, s.quota,
               (SELECT count(*)::int FROM registrations r WHERE r.schedule_id = s.id AND r.status <> 'rejected') AS registered
        FROM schedules s
        """;

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/schedules").WithTags("Schedules").RequireAuthorization();

        group.MapGet("/", List).WithSummary("Every schedule, optionally of one scheme.");
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Opens a registration window.");
        return routes;
    }

    private static async Task<Ok<ScheduleDto[]>> List(long? schemeId, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<ScheduleDto>(new CommandDefinition(
            $"{Select} WHERE (@schemeId::bigint IS NULL OR s.scheme_id = @schemeId) ORDER BY s.opens_at, s.id",
            new { schemeId }, cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ScheduleDto>(new CommandDefinition($"{Select} WHERE s.id = @id", new { id }, cancellationToken: ct));
        return row is null ? Problems.NotFound($"Schedule {id}") : TypedResults.Ok(row);
    }

    private static async Task<Results<Created<ScheduleDto>, ValidationProblem, ProblemHttpResult>> Create(ScheduleRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        if (body.ClosesAt <= body.OpensAt)
        {
            return Problems.Invalid("closesAt", "closesAt must be later than opensAt.");
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
            var row = await c.QuerySingleAsync<ScheduleDto>(new CommandDefinition($"{Select} WHERE s.id = @id", new { id }, cancellationToken: ct));
            return TypedResults.Created($"/api/v1/schedules/{id}", row);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            var field = e.ConstraintName?.Contains("place", StringComparison.Ordinal) == true ? "placeId" : "schemeId";
            return Problems.Unprocessable($"The {field} names nothing that exists.", new Dictionary<string, string[]> { [field] = ["Not found."] });
        }
    }
}
