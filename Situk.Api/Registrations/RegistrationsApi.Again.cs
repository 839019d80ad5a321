using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;

namespace Situk.Api.Registrations;

/// <summary>
/// Registering again. An asesi holds at most one active registration per scheme (not rejected, withdrawn or
/// not yet competent; competent stays active, as the asesi holds that certificate): another is 409 naming it.
/// After "not yet competent" the next registration must be on a later schedule, one whose window opens when the
/// failed one's has closed or after (422 naming <c>scheduleId</c>), so the asesi has a real chance to train.
/// After a rejection or a withdrawal any open schedule will do, the same one included.
/// </summary>
public static partial class RegistrationsApi
{
    /// <summary>An earlier registration of the asesi for the scheme that still counts: active, or not yet competent.</summary>
    private sealed record Prior(long Id, string Status, long ScheduleId, DateTimeOffset ClosesAt);

    /// <summary>The active one if any, else the not-yet-competent one whose schedule closed last; null when neither exists.</summary>
    private static Task<Prior?> PriorAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long asesiId, long schemeId, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Prior>(new CommandDefinition(
            $"""
            SELECT r.id, r.status, r.schedule_id AS scheduleId, s.closes_at AS closesAt
            FROM registrations r
            JOIN schedules s ON s.id = r.schedule_id
            WHERE r.asesi_id = @asesiId AND r.scheme_id = @schemeId AND {RegistrationStatus.HoldsSeatSql}
            ORDER BY r.status = 'not_yet_competent', s.closes_at DESC, r.id DESC
            LIMIT 1
            """,
            new { asesiId, schemeId }, tx, cancellationToken: ct));

    private static ProblemHttpResult? PriorRefusal(long scheduleId, ScheduleWindow schedule, Prior? prior)
    {
        if (prior is null)
        {
            return null;
        }

        var named = new Dictionary<string, object?> { ["registrationId"] = prior.Id, ["currentStatus"] = prior.Status };
        if (prior.Status == RegistrationStatus.Competent)
        {
            return Problems.Conflict("registration.already_competent", named, ("id", prior.Id));
        }

        if (prior.Status != RegistrationStatus.NotYetCompetent)
        {
            return Problems.Conflict(
                "registration.already_active",
                named,
                ("id", prior.Id),
                ("status", prior.Status));
        }

        return schedule.OpensAt >= prior.ClosesAt
            ? null
            : Problems.Unprocessable(
                "registration.again_too_soon",
                new Dictionary<string, FieldText>
                {
                    ["scheduleId"] = Problems.Field("field.schedule_not_later", ("scheduleId", scheduleId), ("priorScheduleId", prior.ScheduleId), ("id", prior.Id)),
                },
                ("id", prior.Id),
                ("at", prior.ClosesAt));
    }

    /// <summary>The unique indexes of migration 0019 that a concurrent registration of the same asesi can trip.</summary>
    private static bool IsOneActiveRule(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName is "registrations_active_per_scheme" or "registrations_seat_per_schedule";
}
