using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Schemes;

/// <summary>
/// Requirement 12: admins manage certification schemes with their units, elements and performance
/// criteria, written and replaced as one tree. Anyone signed in can read them.
/// </summary>
public static class SchemesApi
{
    public static IEndpointRouteBuilder MapSchemes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/schemes").WithTags("Schemes").RequireAuthorization();

        group.MapGet("/", List).WithSummary("Every scheme, without its tree.");
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One scheme with its whole tree.");
        group.MapPost("/", Create).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Creates a scheme and its tree; answers it with every id filled in.");
        group.MapPut("/{id:long}", Replace).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Replaces a scheme and its tree (409 once anyone has registered for it).");
        group.MapDelete("/{id:long}", Delete).RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Ok<SchemeSummaryDto[]>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<SchemeSummaryDto>(new CommandDefinition(
            """
            SELECT s.id, s.code, s.name,
                   (SELECT count(*)::int FROM scheme_units u JOIN scheme_elements e ON e.unit_id = u.id
                    JOIN performance_criteria k ON k.element_id = e.id WHERE u.scheme_id = s.id) AS criteriaCount,
                   s.validity_years AS validityYears
            FROM schemes s ORDER BY s.id
            """,
            cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }

    private static async Task<Results<Ok<SchemeDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        return await SchemeStore.LoadAsync(c, id, ct) is { } scheme ? TypedResults.Ok(scheme) : Problems.NotFound("scheme.not_found", ("id", id));
    }

    private static async Task<Results<Created<SchemeDto>, ValidationProblem, ProblemHttpResult>> Create(SchemeRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        if (DuplicateUnitCode(body) is { } invalid)
        {
            return invalid;
        }

        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var id = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO schemes (code, name, validity_years) VALUES (@Code, @Name, coalesce(@ValidityYears, 3))
            ON CONFLICT ((lower(code))) DO NOTHING RETURNING id
            """,
            new { body.Code, body.Name, body.ValidityYears }, tx, cancellationToken: ct));
        if (id is not { } schemeId)
        {
            return Problems.Conflict("scheme.code_taken", ("code", body.Code));
        }

        await SchemeStore.InsertTreeAsync(c, tx, schemeId, body.Units, ct);
        var scheme = (await SchemeStore.LoadAsync(c, schemeId, ct, tx))!;
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/schemes/{schemeId}", scheme);
    }

    private static async Task<Results<Ok<SchemeDto>, ValidationProblem, ProblemHttpResult>> Replace(long id, SchemeRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        if (DuplicateUnitCode(body) is { } invalid)
        {
            return invalid;
        }

        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM schemes WHERE id = @id FOR UPDATE)", new { id }, tx, cancellationToken: ct));
        if (!exists)
        {
            return Problems.NotFound("scheme.not_found", ("id", id));
        }

        var inUse = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM registrations r JOIN schedules s ON s.id = r.schedule_id WHERE s.scheme_id = @id)",
            new { id }, tx, cancellationToken: ct));
        if (inUse)
        {
            return Problems.Conflict("scheme.tree_locked", ("id", id));
        }

        var clash = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM schemes WHERE lower(code) = lower(@Code) AND id <> @id)", new { id, body.Code }, tx, cancellationToken: ct));
        if (clash)
        {
            return Problems.Conflict("scheme.code_taken", ("code", body.Code));
        }

        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE schemes SET code = @Code, name = @Name, validity_years = coalesce(@ValidityYears::integer, validity_years), updated_at = now() WHERE id = @id;
            DELETE FROM scheme_units WHERE scheme_id = @id;
            """,
            new { id, body.Code, body.Name, body.ValidityYears }, tx, cancellationToken: ct));
        await SchemeStore.InsertTreeAsync(c, tx, id, body.Units, ct);
        var scheme = (await SchemeStore.LoadAsync(c, id, ct, tx))!;
        await tx.CommitAsync(ct);
        return TypedResults.Ok(scheme);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        try
        {
            var deleted = await c.ExecuteAsync(new CommandDefinition("DELETE FROM schemes WHERE id = @id", new { id }, cancellationToken: ct));
            return deleted == 0 ? Problems.NotFound("scheme.not_found", ("id", id)) : TypedResults.NoContent();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problems.Conflict("scheme.has_schedules", ("id", id));
        }
    }

    private static ValidationProblem? DuplicateUnitCode(SchemeRequest body)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < body.Units.Count; i++)
        {
            if (!seen.Add(body.Units[i].Code))
            {
                return Problems.Invalid($"units[{i}].code", "scheme.unit_code_twice", ("code", body.Units[i].Code));
            }
        }

        return null;
    }
}
