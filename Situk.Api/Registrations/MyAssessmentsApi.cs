using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;

namespace Situk.Api.Registrations;

/// <summary>An asesor's working list: the assessments assigned to them in a time range, in the order they take place.</summary>
public static class MyAssessmentsApi
{
    /// <summary>The range when <c>to</c> is not given: 31 days from <c>from</c> (itself "now" when not given).</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(31);

    /// <summary>The widest range one call covers: a quarter, so one answer stays a bounded list.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(92);

    /// <summary>The most assessments one answer holds; a range holding more is refused, asking for a narrower one.</summary>
    public const int MaxItems = 1000;

    public static IEndpointRouteBuilder MapMyAssessments(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/me/assessments", List).WithTags("Registrations").RequireAuthorization(AuthSetup.Asesor)
            .WithSummary("The caller's (asesor's) assessments from `from` (default now) until before `to` (default from + 31 days, at most 92), "
                + "by scheduled time, with candidate, scheme and place.");
        return routes;
    }

    private static async Task<Results<Ok<MyAssessmentsDto>, ValidationProblem>> List(
        DateTimeOffset? from, DateTimeOffset? to, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var start = from ?? time.GetUtcNow();
        var end = to ?? start + DefaultSpan;
        if (end <= start)
        {
            return Problems.Invalid("to", "range.to_before_from");
        }

        if (end - start > MaxSpan)
        {
            return Problems.Invalid("to", "range.too_long", ("days", (int)MaxSpan.TotalDays));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = (await c.QueryAsync<MyAssessmentDto>(new CommandDefinition(
            """
            SELECT r.id AS registrationId, r.assessment_at AS assessmentAt, r.status, r.asesi_id AS asesiId,
                   coalesce(r.apl01 ->> 'fullName', u.full_name) AS candidateName,
                   sc.id AS schemeId, sc.name AS schemeName, s.id AS scheduleId,
                   p.id AS placeId, p.name AS placeName, p.address AS placeAddress
            FROM registrations r
            JOIN users u ON u.id = r.asesi_id
            JOIN schedules s ON s.id = r.schedule_id
            JOIN schemes sc ON sc.id = s.scheme_id
            JOIN places p ON p.id = s.place_id
            WHERE r.asesor_id = @me AND r.assessment_at >= @start AND r.assessment_at < @end
            ORDER BY r.assessment_at, r.id
            LIMIT @take
            """,
            new { me = Caller.From(user).UserId, start, end, take = MaxItems + 1 }, cancellationToken: ct))).ToArray();
        if (rows.Length > MaxItems)
        {
            return Problems.Invalid("to", "assessments.too_many", ("max", MaxItems));
        }

        return TypedResults.Ok(new MyAssessmentsDto(start, end, rows));
    }
}
