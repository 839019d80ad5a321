using Dapper;
using Npgsql;

namespace Situk.Api.Schemes;

/// <summary>The SQL over schemes and their tree (units, elements, performance criteria).</summary>
public static class SchemeStore
{
    private sealed record TreeRow(
        long SchemeId, string SchemeCode, string Name, int ValidityYears,
        long? UnitId, string? UnitCode, string? UnitTitle,
        long? ElementId, string? ElementTitle,
        long? CriterionId, string? CriterionText);

    /// <summary>Writes the units, elements and criteria of a scheme, keeping the request's order.</summary>
    public static async Task InsertTreeAsync(NpgsqlConnection c, NpgsqlTransaction tx, long schemeId, IReadOnlyList<UnitRequest> units, CancellationToken ct)
    {
        for (var u = 0; u < units.Count; u++)
        {
            var unitId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO scheme_units (scheme_id, position, code, title) VALUES (@schemeId, @u, @code, @title) RETURNING id",
                new { schemeId, u, code = units[u].Code, title = units[u].Title }, tx, cancellationToken: ct));
            var elements = units[u].Elements;
            for (var e = 0; e < elements.Count; e++)
            {
                var elementId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    "INSERT INTO scheme_elements (unit_id, position, title) VALUES (@unitId, @e, @title) RETURNING id",
                    new { unitId, e, title = elements[e].Title }, tx, cancellationToken: ct));
                await c.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO performance_criteria (element_id, position, text)
                    SELECT @elementId, t.ord - 1, t.text FROM unnest(@texts::text[]) WITH ORDINALITY AS t(text, ord)
                    """,
                    new { elementId, texts = elements[e].Criteria.Select(k => k.Text).ToArray() }, tx, cancellationToken: ct));
            }
        }
    }

    /// <summary>The scheme with its tree, or null.</summary>
    public static async Task<SchemeDto?> LoadAsync(NpgsqlConnection c, long id, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var rows = (await c.QueryAsync<TreeRow>(new CommandDefinition(
            """
            SELECT s.id AS schemeId, s.code AS schemeCode, s.name, s.validity_years AS validityYears,
                   u.id AS unitId, u.code AS unitCode, u.title AS unitTitle,
                   e.id AS elementId, e.title AS elementTitle,
                   k.id AS criterionId, k.text AS criterionText
            FROM schemes s
            LEFT JOIN scheme_units u ON u.scheme_id = s.id
            LEFT JOIN scheme_elements e ON e.unit_id = u.id
            LEFT JOIN performance_criteria k ON k.element_id = e.id
            WHERE s.id = @id
            ORDER BY u.position, e.position, k.position
            """,
            new { id }, tx, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        var units = rows.Where(r => r.UnitId is not null).GroupBy(r => r.UnitId!.Value).Select(unit => new UnitDto(
            unit.Key,
            unit.First().UnitCode!,
            unit.First().UnitTitle!,
            unit.Where(r => r.ElementId is not null).GroupBy(r => r.ElementId!.Value).Select(element => new ElementDto(
                element.Key,
                element.First().ElementTitle!,
                element.Where(r => r.CriterionId is not null).Select(r => new CriterionDto(r.CriterionId!.Value, r.CriterionText!)).ToList())).ToList()))
            .ToList();
        return new SchemeDto(rows[0].SchemeId, rows[0].SchemeCode, rows[0].Name, units, rows[0].ValidityYears);
    }

    /// <summary>The ids of every performance criterion of a scheme.</summary>
    public static async Task<HashSet<long>> CriterionIdsAsync(NpgsqlConnection c, NpgsqlTransaction tx, long schemeId, CancellationToken ct) =>
        (await c.QueryAsync<long>(new CommandDefinition(
            """
            SELECT k.id FROM scheme_units u
            JOIN scheme_elements e ON e.unit_id = u.id
            JOIN performance_criteria k ON k.element_id = e.id
            WHERE u.scheme_id = @schemeId
            """,
            new { schemeId }, tx, cancellationToken: ct))).ToHashSet();
}
