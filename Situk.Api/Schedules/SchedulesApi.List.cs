using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;

namespace Situk.Api.Schedules;

/// <summary>A page of <c>GET /schedules</c>; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record SchedulePage(ScheduleDto[] Items, string? Next);

public static partial class SchedulesApi
{
    /// <summary>Page size of <c>GET /schedules</c> when <c>limit</c> is not given, and its most (as <c>GET /registrations</c>).</summary>
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    /// <summary>
    /// The list is ordered by (opensAt, id), so its cursor is that pair: <c>2026-12-05T03:00:00.000000Z_17</c>,
    /// microseconds as PostgreSQL keeps them. Clients pass <c>next</c> back as <c>after</c> and need not read it.
    /// </summary>
    private const string CursorFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>
    /// Every filter is optional and they combine. <c>openNow=true</c> keeps the schedules taking registrations
    /// at this moment (opensAt ≤ now &lt; closesAt), <c>false</c> the others; <c>from</c>/<c>to</c> keep those
    /// whose window overlaps [from, to) (closesAt &gt; from, opensAt &lt; to). A value of the wrong type is 400
    /// naming the parameter before this runs. A page holds <c>limit</c> schedules after the cursor <c>after</c>.
    /// </summary>
    private static async Task<Results<Ok<SchedulePage>, ValidationProblem>> List(
        long? schemeId, long? placeId, bool? openNow, DateTimeOffset? from, DateTimeOffset? to, string? after, int? limit,
        NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var take = limit ?? DefaultListLimit;
        if (take is < 1 or > MaxListLimit)
        {
            return Problems.Invalid("limit", "list.limit", ("max", MaxListLimit));
        }

        (DateTimeOffset At, long Id)? cursor = null;
        if (after is not null)
        {
            cursor = ParseCursor(after);
            if (cursor is null)
            {
                return Problems.Invalid("after", "list.after_page");
            }
        }

        if (schemeId is < 1)
        {
            return Problems.Invalid("schemeId", "list.positive_id", ("field", "schemeId"));
        }

        if (placeId is < 1)
        {
            return Problems.Invalid("placeId", "list.positive_id", ("field", "placeId"));
        }

        if (from is not null && to is not null && to <= from)
        {
            return Problems.Invalid("to", "range.to_before_from");
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = (await c.QueryAsync<ScheduleDto>(new CommandDefinition(
            $"""
            {Select}
            WHERE (@schemeId::bigint IS NULL OR s.scheme_id = @schemeId)
              AND (@placeId::bigint IS NULL OR s.place_id = @placeId)
              AND (@openNow::boolean IS NULL OR (s.opens_at <= @now AND s.closes_at > @now) = @openNow)
              AND (@from::timestamptz IS NULL OR s.closes_at > @from)
              AND (@to::timestamptz IS NULL OR s.opens_at < @to)
              AND (@afterAt::timestamptz IS NULL OR (s.opens_at, s.id) > (@afterAt, @afterId))
            ORDER BY s.opens_at, s.id
            LIMIT @take
            """,
            new { schemeId, placeId, openNow, now = time.GetUtcNow(), from, to, afterAt = cursor?.At, afterId = cursor?.Id ?? 0, take = take + 1 },
            cancellationToken: ct))).ToArray();
        var items = rows.Take(take).ToArray();
        return TypedResults.Ok(new SchedulePage(items, rows.Length > take ? Cursor(items[^1]) : null));
    }

    private static string Cursor(ScheduleDto last) =>
        last.OpensAt.UtcDateTime.ToString(CursorFormat, CultureInfo.InvariantCulture) + "_" + last.Id.ToString(CultureInfo.InvariantCulture);

    private static (DateTimeOffset At, long Id)? ParseCursor(string text)
    {
        var split = text.LastIndexOf('_');
        return split > 0
            && DateTimeOffset.TryParseExact(text[..split], CursorFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && long.TryParse(text[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && id > 0
            ? (at, id)
            : null;
    }
}
