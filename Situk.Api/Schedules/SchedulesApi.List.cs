using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;

namespace Situk.Api.Schedules;

public static partial class SchedulesApi
{
    /// <summary>
    /// Every filter is optional and they combine. <c>openNow=true</c> keeps the schedules taking registrations
    /// at this moment (opensAt ≤ now &lt; closesAt), <c>false</c> the others; <c>from</c>/<c>to</c> keep those
    /// whose window overlaps [from, to) (closesAt &gt; from, opensAt &lt; to). A value of the wrong type is 400
    /// naming the parameter before this runs.
    /// </summary>
    private static async Task<Results<Ok<ScheduleDto[]>, ValidationProblem>> List(
        long? schemeId, long? placeId, bool? openNow, DateTimeOffset? from, DateTimeOffset? to,
        NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        if (schemeId is < 1)
        {
            return Problems.Invalid("schemeId", "schemeId must be a positive id.");
        }

        if (placeId is < 1)
        {
            return Problems.Invalid("placeId", "placeId must be a positive id.");
        }

        if (from is not null && to is not null && to <= from)
        {
            return Problems.Invalid("to", "to must be later than from.");
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<ScheduleDto>(new CommandDefinition(
            $"""
            {Select}
            WHERE (@schemeId::bigint IS NULL OR s.scheme_id = @schemeId)
              AND (@placeId::bigint IS NULL OR s.place_id = @placeId)
              AND (@openNow::boolean IS NULL OR (s.opens_at <= @now AND s.closes_at > @now) = @openNow)
              AND (@from::timestamptz IS NULL OR s.closes_at > @from)
              AND (@to::timestamptz IS NULL OR s.opens_at < @to)
            ORDER BY s.opens_at, s.id
            """,
            new { schemeId, placeId, openNow, now = time.GetUtcNow(), from, to }, cancellationToken: ct));
        return TypedResults.Ok(rows.ToArray());
    }
}
