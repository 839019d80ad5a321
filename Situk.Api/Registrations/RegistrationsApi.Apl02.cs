using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Api.Schemes;

namespace Situk.Api.Registrations;

/// <summary>Steps 6 and 7: the asesi's APL-02 self-assessment and the asesor's review of it.</summary>
public static partial class RegistrationsApi
{
    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> SubmitApl02(
        long id, Apl02Request body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.VisibleTo(Caller.From(user)), RegistrationStatus.Assigned) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;

        var criteria = await SchemeStore.CriterionIdsAsync(step.Connection, step.Transaction, r.SchemeId, ct);
        if (CoverEveryCriterion("answers", body.Answers.Select(a => a.CriterionId).ToList(), criteria, requireAll: true) is { } refusal)
        {
            return refusal;
        }

        await step.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO apl02_answers (registration_id, criterion_id, competent, evidence)
            SELECT @id, a.criterion_id, a.competent, a.evidence
            FROM unnest(@criteria::bigint[], @competent::boolean[], @evidence::text[]) AS a(criterion_id, competent, evidence)
            """,
            new
            {
                id,
                criteria = body.Answers.Select(a => a.CriterionId).ToArray(),
                competent = body.Answers.Select(a => a.Competent!.Value).ToArray(),
                evidence = body.Answers.Select(a => a.Evidence).ToArray(),
            },
            step.Transaction, cancellationToken: ct));
        await step.CommitAsync(RegistrationStatus.Apl02Submitted, [RegistrationNotices.Apl02Submitted(r)], ct);
        return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.Apl02Submitted));
    }

    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> ReviewApl02(
        long id, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.AsesorId == Caller.From(user).UserId, RegistrationStatus.Apl02Submitted) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;

        var anyNotCompetent = await step.Connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM apl02_answers WHERE registration_id = @id AND NOT competent)", new { id }, step.Transaction, cancellationToken: ct));
        if (anyNotCompetent)
        {
            // Requirement 7: one criterion self-assessed not competent declares the asesi not yet competent.
            await step.CommitAsync(
                RegistrationStatus.NotYetCompetent,
                [RegistrationNotices.NotYetCompetentBySelfAssessment(r)],
                ct,
                new RegistrationChange(Verdict: RegistrationStatus.NotYetCompetent, VerdictNote: "APL-02 self-assessment marks at least one criterion not yet competent."));
            return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.NotYetCompetent));
        }

        await step.CommitAsync(RegistrationStatus.Eligible, [RegistrationNotices.Eligible(r)], ct);
        return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.Eligible));
    }

    /// <summary>
    /// 422 when <paramref name="given"/> names a criterion twice, names one outside the scheme, or
    /// (with <paramref name="requireAll"/>) leaves one out; the field names the offending entry.
    /// </summary>
    private static ProblemHttpResult? CoverEveryCriterion(string field, IReadOnlyList<long> given, HashSet<long> criteria, bool requireAll)
    {
        var errors = new Dictionary<string, FieldText>();
        var seen = new HashSet<long>();
        for (var i = 0; i < given.Count; i++)
        {
            if (!criteria.Contains(given[i]))
            {
                errors[$"{field}[{i}].criterionId"] = Problems.Field("field.criterion_foreign", ("criterion", given[i]));
            }
            else if (!seen.Add(given[i]))
            {
                errors[$"{field}[{i}].criterionId"] = Problems.Field("field.criterion_twice", ("criterion", given[i]));
            }
        }

        var missing = criteria.Except(seen).Order().ToList();
        if (requireAll && missing.Count > 0)
        {
            errors[field] = Problems.Field("field.criteria_missing", ("criteria", string.Join(", ", missing)));
        }

        return errors.Count == 0
            ? null
            : Problems.Unprocessable("criteria.cover_once", errors, ("field", field));
    }
}
