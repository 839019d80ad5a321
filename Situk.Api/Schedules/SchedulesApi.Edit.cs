using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;

namespace Situk.Api.Schedules;

/// <summary>
/// Changing, closing and deleting a schedule. Each step locks the schedule row first; a registration takes the
/// same lock before it checks the window and the quota, so neither can slip between the check here and the write.
/// </summary>
public static partial class SchedulesApi
{
    private sealed record Seats(long SchemeId, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int Taken, bool AnyRegistered);

    private const string LockSeats = """
        SELECT s.scheme_id AS schemeId, s.opens_at AS opensAt, s.closes_at AS closesAt,
               (SELECT count(*)::int FROM registrations r WHERE r.schedule_id = s.id AND r.status NOT IN ('rejected', 'withdrawn')) AS taken,
               EXISTS (SELECT 1 FROM registrations r WHERE r.schedule_id = s.id) AS anyRegistered
        FROM schedules s WHERE s.id = @id FOR UPDATE OF s
        """;

    private static async Task<Results<Ok<ScheduleDto>, ValidationProblem, ProblemHttpResult>> Update(
        long id, ScheduleRequest body, NpgsqlDataSource db, CancellationToken ct)
    {
        if (body.ClosesAt <= body.OpensAt)
        {
            return Problems.Invalid("closesAt", "schedule.closes_before_opens");
        }

        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var seats = await c.QuerySingleOrDefaultAsync<Seats>(new CommandDefinition(LockSeats, new { id }, tx, cancellationToken: ct));
        if (seats is null)
        {
            return Problems.NotFound("schedule.not_found", ("id", id));
        }

        // A registration's APL-02 answers name criteria of the schedule's scheme (rejected ones too): 409, as for
        // replacing a scheme once anyone registered for it.
        if (seats.AnyRegistered && body.SchemeId != seats.SchemeId)
        {
            return Problems.Conflict("schedule.scheme_locked", ("id", id));
        }

        if (body.Quota < seats.Taken)
        {
            return Problems.Unprocessable(
                "schedule.quota_below_taken",
                new Dictionary<string, FieldText> { ["quota"] = Problems.Field("field.at_least", ("min", seats.Taken)) },
                ("id", id),
                ("taken", seats.Taken));
        }

        try
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE schedules SET scheme_id = @SchemeId, place_id = @PlaceId, opens_at = @OpensAt, closes_at = @ClosesAt, quota = @Quota
                WHERE id = @id
                """,
                new { id, body.SchemeId, body.PlaceId, body.OpensAt, body.ClosesAt, body.Quota }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return UnknownReference(e);
        }

        var row = await ReadAsync(c, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(row);
    }

    /// <summary>
    /// Sets closesAt to now when it is later; a schedule already closed is answered as it is (200). One that has
    /// not opened yet is 409: closing it would end its window before it starts; change or delete it instead.
    /// </summary>
    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Close(long id, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var seats = await c.QuerySingleOrDefaultAsync<Seats>(new CommandDefinition(LockSeats, new { id }, tx, cancellationToken: ct));
        if (seats is null)
        {
            return Problems.NotFound("schedule.not_found", ("id", id));
        }

        var now = time.GetUtcNow();
        if (seats.OpensAt >= now)
        {
            return Problems.Conflict("schedule.not_open_yet", ("id", id), ("opensAt", seats.OpensAt));
        }

        if (seats.ClosesAt > now)
        {
            await c.ExecuteAsync(new CommandDefinition("UPDATE schedules SET closes_at = @now WHERE id = @id", new { id, now }, tx, cancellationToken: ct));
        }

        var row = await ReadAsync(c, tx, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(row);
    }

    /// <summary>
    /// Registrations keep their schedule (ON DELETE RESTRICT) and the API deletes none, so a schedule anyone
    /// registered on — rejected registrations included — stays: 409, pointing at closing it instead.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        try
        {
            var deleted = await c.ExecuteAsync(new CommandDefinition("DELETE FROM schedules WHERE id = @id", new { id }, cancellationToken: ct));
            return deleted == 0 ? Problems.NotFound("schedule.not_found", ("id", id)) : TypedResults.NoContent();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problems.Conflict("schedule.has_registrations", ("id", id));
        }
    }
}
