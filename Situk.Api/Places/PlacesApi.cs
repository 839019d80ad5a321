using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Places;

/// <summary>Body of <c>POST</c>/<c>PUT /places</c>: a test place (TUK).</summary>
public sealed record PlaceRequest(
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [Required, StringLength(500, MinimumLength = 1)] string Address);

public sealed record PlaceDto(long Id, string Name, string Address, DateTimeOffset CreatedAt);

/// <summary>Requirement 13: admins manage test places (TUK); anyone signed in can list them.</summary>
public static class PlacesApi
{
    private const string Columns = "id, name, address, created_at AS createdAt";

    public static IEndpointRouteBuilder MapPlaces(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/places").WithTags("Places").RequireAuthorization();

        group.MapGet("/", List).WithSummary("Every test place.");
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).RequireAuthorization(AuthSetup.Admin);
        group.MapPut("/{id:long}", Update).RequireAuthorization(AuthSetup.Admin).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", Delete).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Ok<PlaceDto[]>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<PlaceDto>(new CommandDefinition($"SELECT {Columns} FROM places ORDER BY id", cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }

    private static async Task<Results<Ok<PlaceDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<PlaceDto>(new CommandDefinition($"SELECT {Columns} FROM places WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? Problems.NotFound("place.not_found", ("id", id)) : TypedResults.Ok(row);
    }

    private static async Task<Created<PlaceDto>> Create(PlaceRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleAsync<PlaceDto>(new CommandDefinition(
            $"INSERT INTO places (name, address) VALUES (@Name, @Address) RETURNING {Columns}", body, cancellationToken: ct));
        return TypedResults.Created($"/api/v1/places/{row.Id}", row);
    }

    private static async Task<Results<Ok<PlaceDto>, ProblemHttpResult>> Update(long id, PlaceRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<PlaceDto>(new CommandDefinition(
            $"UPDATE places SET name = @Name, address = @Address WHERE id = @id RETURNING {Columns}",
            new { id, body.Name, body.Address }, cancellationToken: ct));
        return row is null ? Problems.NotFound("place.not_found", ("id", id)) : TypedResults.Ok(row);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        try
        {
            var deleted = await c.ExecuteAsync(new CommandDefinition("DELETE FROM places WHERE id = @id", new { id }, cancellationToken: ct));
            return deleted == 0 ? Problems.NotFound("place.not_found", ("id", id)) : TypedResults.NoContent();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problems.Conflict("place.has_schedules", ("id", id));
        }
    }
}
