using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Certificates;
using Situk.Api.Errors;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Api.Schemes;

namespace Situk.Api.Registrations;

/// <summary>
/// Steps 8–11: the assessment date (and moving it), the assessment records, and the verdict that checks
/// them. Records and the verdict are taken only from the scheduled date on: before it nothing was assessed.
/// </summary>
public static partial class RegistrationsApi
{
    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> ScheduleAssessment(
        long id, AssessmentRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.AsesorId == Caller.From(user).UserId, RegistrationStatus.Eligible) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;

        var at = body.ScheduledAt!.Value;
        if (at <= time.GetUtcNow())
        {
            return Problems.Unprocessable("assessment.date_past", new Dictionary<string, FieldText> { ["scheduledAt"] = Problems.Field("field.future") });
        }

        await step.CommitAsync(RegistrationStatus.Scheduled, [RegistrationNotices.Scheduled(r, at)], ct, new RegistrationChange(AssessmentAt: at));
        return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.Scheduled));
    }

    /// <summary>
    /// The assigned asesor or an admin moves a scheduled assessment to a new time in the future; the
    /// asesi is told (push and email) with both times, in the same transaction. The same time again is
    /// refused (422) rather than ignored: a silent no-op would let a client believe the asesi was told.
    /// </summary>
    private static async Task<Results<Ok<AssessmentDto>, ProblemHttpResult>> MoveAssessment(
        long id, AssessmentRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CancellationToken ct)
    {
        var me = Caller.From(user);
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => me.IsAdmin || locked.AsesorId == me.UserId, RegistrationStatus.Scheduled) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;
        var from = r.AssessmentAt!.Value;
        var to = body.ScheduledAt!.Value;
        if (to <= time.GetUtcNow())
        {
            return Problems.Unprocessable("assessment.new_date_past", new Dictionary<string, FieldText> { ["scheduledAt"] = Problems.Field("field.future") });
        }

        // PostgreSQL keeps microseconds: compare at that grain, as the stored date will be.
        if (to.UtcTicks / 10 == from.UtcTicks / 10)
        {
            return Problems.Unprocessable(
                "assessment.same_date",
                new Dictionary<string, FieldText> { ["scheduledAt"] = Problems.Field("field.same_date", ("at", Iso(from))) },
                ("at", Iso(from)));
        }

        await step.CommitAsync(RegistrationStatus.Scheduled, [RegistrationNotices.Rescheduled(r, from, to)], ct, new RegistrationChange(AssessmentAt: to));
        return TypedResults.Ok(new AssessmentDto(id, RegistrationStatus.Scheduled, to, from));
    }

    /// <summary>422 while the scheduled assessment date is still ahead: nothing can have been observed yet.</summary>
    private static ProblemHttpResult? BeforeAssessment(RegistrationStore.Locked r, TimeProvider time, string code)
    {
        var at = r.AssessmentAt!.Value;
        return time.GetUtcNow() >= at
            ? null
            : Problems.Unprocessable(
                code,
                new Dictionary<string, FieldText> { ["assessmentAt"] = Problems.Field("field.not_reached", ("at", Iso(at))) },
                ("at", Iso(at)));
    }

    // ISO 8601 in UTC: the same in both languages, and what a client can parse back.
    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<Results<Ok<RecordsDto>, ProblemHttpResult>> SaveRecords(
        long id, RecordsRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.AsesorId == Caller.From(user).UserId, RegistrationStatus.Scheduled) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;
        if (BeforeAssessment(r, time, "assessment.records_too_early") is { } early)
        {
            return early;
        }

        var criteria = await SchemeStore.CriterionIdsAsync(step.Connection, step.Transaction, r.SchemeId, ct);
        var refusal = CoverEveryCriterion("observation", body.Observation.Select(o => o.CriterionId).ToList(), criteria, requireAll: false)
            ?? CoverEveryCriterion("portfolio", body.Portfolio.Select(o => o.CriterionId).ToList(), criteria, requireAll: false);
        if (refusal is not null)
        {
            return refusal;
        }

        // The records are replaced as a whole: what the asesor sends is the record.
        var entries = body.Observation.Select(e => (Kind: "observation", Entry: e)).Concat(body.Portfolio.Select(e => (Kind: "portfolio", Entry: e))).ToList();
        await step.Connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM assessment_records WHERE registration_id = @id;
            INSERT INTO assessment_records (registration_id, kind, criterion_id, competent, note)
            SELECT @id, e.kind, e.criterion_id, e.competent, e.note
            FROM unnest(@kinds::text[], @criteria::bigint[], @competent::boolean[], @notes::text[]) AS e(kind, criterion_id, competent, note);
            UPDATE registrations SET record_notes = @recordNotes, updated_at = now() WHERE id = @id;
            """,
            new
            {
                id,
                kinds = entries.Select(e => e.Kind).ToArray(),
                criteria = entries.Select(e => e.Entry.CriterionId).ToArray(),
                competent = entries.Select(e => e.Entry.Competent!.Value).ToArray(),
                notes = entries.Select(e => e.Entry.Note).ToArray(),
                recordNotes = body.Notes,
            },
            step.Transaction, cancellationToken: ct));
        var records = await RegistrationStore.RecordsAsync(step.Connection, step.Transaction, id, body.Notes, ct);
        await step.CommitAsync(null, [], ct);
        return TypedResults.Ok(records);
    }

    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> DeclareVerdict(
        long id, VerdictRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, TimeProvider time, CertificateIssuer certificates, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.AsesorId == Caller.From(user).UserId, RegistrationStatus.Scheduled) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;
        if (BeforeAssessment(r, time, "assessment.verdict_too_early") is { } early)
        {
            return early;
        }

        var competent = body.Competent!.Value;
        var criteria = await SchemeStore.CriterionIdsAsync(step.Connection, step.Transaction, r.SchemeId, ct);
        var records = await RegistrationStore.RecordsAsync(step.Connection, step.Transaction, id, null, ct);
        if (RecordsRefuse(criteria, records, competent) is { } refusal)
        {
            return refusal;
        }

        var status = competent ? RegistrationStatus.Competent : RegistrationStatus.NotYetCompetent;
        List<NewNotification> notices = [RegistrationNotices.Verdict(r, competent, body.Note)];
        if (competent)
        {
            // The certificate is issued in the verdict's transaction: both commit, or neither.
            notices.Add(await certificates.IssueAsync(step.Connection, step.Transaction, id, time.GetUtcNow(), ct));
        }

        await step.CommitAsync(status, notices, ct, new RegistrationChange(Verdict: status, VerdictNote: body.Note));
        return TypedResults.Ok(new RegistrationStatusDto(id, status));
    }

    /// <summary>
    /// Requirement 11: every criterion needs an observation and a portfolio entry, and <c>competent</c>
    /// cannot be declared while any entry says not competent.
    /// </summary>
    private static ProblemHttpResult? RecordsRefuse(HashSet<long> criteria, RecordsDto records, bool competent)
    {
        var errors = new Dictionary<string, FieldText>();
        foreach (var (field, entries) in new[] { ("observation", records.Observation), ("portfolio", records.Portfolio) })
        {
            var missing = criteria.Except(entries.Select(e => e.CriterionId)).Order().ToList();
            if (missing.Count > 0)
            {
                errors[field] = Problems.Field($"records.missing_{field}", ("criteria", string.Join(", ", missing)));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable("records.incomplete", errors);
        }

        var against = records.Observation.Concat(records.Portfolio).Where(e => !e.Competent).Select(e => e.CriterionId).Distinct().Order().ToList();
        if (competent && against.Count > 0)
        {
            return Problems.Unprocessable(
                "verdict.contradicts_records",
                new Dictionary<string, FieldText> { ["competent"] = Problems.Field("field.contradicts_records") },
                ("criteria", string.Join(", ", against)));
        }

        return null;
    }
}
