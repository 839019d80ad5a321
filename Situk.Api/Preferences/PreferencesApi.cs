using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// <c>GET</c> and <c>PUT /me/preferences</c>: which groups of notifications reach the caller by push and
/// by email. A person reaches only their own preferences; the inbox keeps every notification whatever they choose.
/// </summary>
public static class PreferencesApi
{
    /// <summary>The largest body <c>PUT</c> reads; nine groups fit in well under 2 KiB.</summary>
    public const int MaxBodyBytes = 16_384;

    public static IEndpointRouteBuilder MapPreferences(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/me/preferences").WithTags("Preferences").RequireAuthorization();
        group.MapGet("/", Get).WithSummary("The caller's notification preferences: per group of kinds, push and email on or off.");
        group.MapPut("/", Put)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Changes push and email for the groups named (both booleans each); others stay. Email of a mandatory kind cannot be switched off (422).");
        return routes;
    }

    private static async Task<Ok<PreferencesDto>> Get(ClaimsPrincipal user, NpgsqlDataSource db, MandatoryEmail mandatory, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await PreferenceStore.LoadAsync(c, null, Caller.From(user).UserId, mandatory, ct));
    }

    private static async Task<Results<Ok<PreferencesDto>, ValidationProblem, ProblemHttpResult>> Put(
        JsonElement body, ClaimsPrincipal user, NpgsqlDataSource db, MandatoryEmail mandatory, CancellationToken ct)
    {
        var (choices, field, error) = PreferencesRequest.Parse(body);
        if (choices is null)
        {
            return Problems.Invalid(field!, error!);
        }

        for (var i = 0; i < choices.Count; i++)
        {
            NotificationGroups.TryGet(choices[i].Group, out var group);
            if (!choices[i].Email && mandatory.LockedBy(group) is { } kind)
            {
                return MandatoryRefused($"groups[{i}].email", group.Name, kind);
            }
        }

        var id = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await PreferenceStore.SaveAsync(c, tx, id, choices, ct);
        var saved = await PreferenceStore.LoadAsync(c, tx, id, mandatory, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(saved);
    }

    /// <summary>422 naming the kind that keeps the group's email on, in the detail and as <c>kind</c>.</summary>
    internal static ProblemHttpResult MandatoryRefused(string field, string group, string kind) =>
        Problems.Problem(
            StatusCodes.Status422UnprocessableEntity,
            "preferences.email_mandatory",
            new Dictionary<string, FieldText> { [field] = Problems.Field("field.email_mandatory", ("kind", kind), ("group", group)) },
            new Dictionary<string, object?> { ["kind"] = kind },
            ("group", group),
            ("kind", kind));
}
