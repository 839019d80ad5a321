using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Api.Evidence;
using Situk.Contracts;

namespace Situk.Api.Registrations;

/// <summary>Steps 4 and 5: APL-01 verification and asesor assignment.</summary>
public static partial class RegistrationsApi
{
    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> Verify(
        long id, VerificationRequest body, ClaimsPrincipal user, IOptions<RegistrationOptions> options, NpgsqlDataSource db, PushHandOff pushes, CancellationToken ct)
    {
        // An asesor reaches this only when asesors may verify (the route's policy); then the queue is theirs to see.
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, locked => locked.VisibleTo(Caller.From(user), options.Value.AsesorsMayVerify), RegistrationStatus.Submitted) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;

        var approved = body.Approved!.Value;
        if (approved && await EvidenceApi.ApprovalBlockedAsync(step.Connection, step.Transaction, id, ct) is { } blocked)
        {
            return blocked; // a rejected APL-01 file must be replaced first (docs/rest-api.md, "Evidence files")
        }

        var status = approved ? RegistrationStatus.Verified : RegistrationStatus.Rejected;
        await step.CommitAsync(
            status,
            [approved ? RegistrationNotices.Verified(r) : RegistrationNotices.Rejected(r, body.Note)],
            ct,
            new RegistrationChange(VerifiedBy: Caller.From(user).UserId, VerificationNote: body.Note));
        return TypedResults.Ok(new RegistrationStatusDto(id, status));
    }

    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> Assign(
        long id, AssignmentRequest body, NpgsqlDataSource db, PushHandOff pushes, CancellationToken ct)
    {
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, _ => true, RegistrationStatus.Verified) is { } refused)
        {
            return refused;
        }

        var r = step.Registration!;

        var asesorName = await step.Connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT full_name FROM users WHERE id = @AsesorId AND role = @role", new { body.AsesorId, role = Roles.Asesor }, step.Transaction, cancellationToken: ct));
        if (asesorName is null)
        {
            return Problems.Unprocessable("assignment.not_asesor", new Dictionary<string, FieldText> { ["asesorId"] = Problems.Field("field.no_asesor") }, ("id", body.AsesorId));
        }

        await step.CommitAsync(RegistrationStatus.Assigned, RegistrationNotices.Assigned(r, body.AsesorId, asesorName), ct, new RegistrationChange(AsesorId: body.AsesorId));
        return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.Assigned));
    }
}
