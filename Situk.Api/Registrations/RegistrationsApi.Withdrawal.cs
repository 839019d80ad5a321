using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Contracts;

namespace Situk.Api.Registrations;

/// <summary>
/// The asesi withdraws their own registration while no asesor is assigned (<c>submitted</c> or <c>verified</c>):
/// it becomes <c>withdrawn</c>, its seat is free again, and every admin is told. From assignment on an asesor has
/// planned for the asesi, so it is 409 naming the status. Only the asesi: an admin ends a registration before
/// verification by rejecting its APL-01, and withdrawing is the candidate's own declaration (403 to others).
/// </summary>
public static partial class RegistrationsApi
{
    private static async Task<Results<Ok<RegistrationStatusDto>, ProblemHttpResult>> Withdraw(
        long id, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, CancellationToken ct)
    {
        var me = Caller.From(user);
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Registration is not { } r || r.AsesiId != me.UserId)
        {
            return Problems.NotFound("registration.not_found", ("id", id));
        }

        if (!RegistrationStatus.Withdrawable.Contains(r.Status, StringComparer.Ordinal))
        {
            return Problems.WrongState(id, r.Status, [.. RegistrationStatus.Withdrawable]);
        }

        var admins = await step.Connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM users WHERE role = @role ORDER BY id", new { role = Roles.Admin }, step.Transaction, cancellationToken: ct));
        await step.CommitAsync(RegistrationStatus.Withdrawn, RegistrationNotices.Withdrawn(r, admins), ct);
        return TypedResults.Ok(new RegistrationStatusDto(id, RegistrationStatus.Withdrawn));
    }
}
