using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Idempotency;
using Situk.Api.Relay;
using Situk.Contracts;

namespace Situk.Api.Notifications;

/// <summary>Who an admin message goes to: exactly one of a list of user ids, a role, or everyone.</summary>
public sealed record MessageTarget(
    [MaxLength(10_000)] List<long>? UserIds = null,
    [StringLength(20)] string? Role = null,
    bool? All = null);

/// <summary>Body of <c>POST /notifications</c>.</summary>
public sealed record AdminMessageRequest(
    [Required] MessageTarget To,
    [Required, StringLength(200, MinimumLength = 1)] string Title,
    [Required, StringLength(4000, MinimumLength = 1)] string Body,
    [StringLength(2000)] string? Link = null);

public sealed record SentCount(int Count);

/// <summary>An admin's durable message: one <c>admin.message</c> per recipient, stored, then pushed by the hand-off (or the relays).</summary>
public static class AdminNotificationsApi
{
    public static IEndpointRouteBuilder MapAdminNotifications(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/notifications", Send)
            .WithTags("Admin")
            .RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Stores an admin.message for users, a role or everyone (one transaction), then pushes it.");
        return routes;
    }

    private static async Task<Results<Accepted<SentCount>, ValidationProblem, ProblemHttpResult, ReplayedAnswer>> Send(
        AdminMessageRequest body, ClaimsPrincipal user, HttpRequest request, NpgsqlDataSource db, PushHandOff handOff, CancellationToken ct)
    {
        var (key, badKey) = IdempotencyKeys.Read(request);
        if (badKey is not null)
        {
            return badKey;
        }

        if (body.Link is not null && !NotificationLinks.IsAllowed(body.Link))
        {
            return Problems.Invalid("link", "notification.link");
        }

        var to = body.To;
        var targets = (to.UserIds is not null ? 1 : 0) + (to.Role is not null ? 1 : 0) + (to.All == true ? 1 : 0);
        if (targets != 1)
        {
            return Problems.Invalid("to", "notification.one_target");
        }

        if (to.UserIds is { Count: 0 })
        {
            return Problems.Invalid("to.userIds", "notification.no_users");
        }

        if (to.Role is not null && !Roles.IsKnown(to.Role))
        {
            return Problems.Invalid("to.role", "notification.role", ("roles", string.Join(", ", Roles.All)));
        }

        var from = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);

        // A transaction only where an idempotency key's claim must commit or roll back with the messages: without
        // one, the messages are one statement (or one batch, which PostgreSQL runs as one implicit transaction), and
        // the usual call, to one user, is one round trip instead of three (docs/benchmarks.md, REST path).
        await using var tx = key is null ? null : await c.BeginTransactionAsync(ct);
        if (key is not null)
        {
            var (replay, refused) = await IdempotencyKeys.ClaimAsync(c, tx!, from, "notifications", key, IdempotencyKeys.Fingerprint(body), ct);
            if (replay is not null || refused is not null)
            {
                return replay is not null ? replay : refused!;
            }
        }

        // One user: the notification's foreign key is the check that the user exists (below), not a query of its own.
        var recipients = to.UserIds is { Count: 1 } ? [to.UserIds[0]] : (await c.QueryAsync<long>(new CommandDefinition(
            AudienceSql(to), new { ids = (to.UserIds ?? []).Distinct().ToArray(), role = to.Role }, tx, cancellationToken: ct))).ToList();

        if (to.UserIds is { Count: > 1 })
        {
            var unknown = to.UserIds.Distinct().Except(recipients).ToList();
            if (unknown.Count > 0)
            {
                return UnknownUsers(unknown);
            }
        }

        // The pushes go to this instance's broker link once committed (the hand-off), not through a relay's claim.
        WrittenNotifications written;
        try
        {
            written = await NotificationWriter.AddAsync(c, tx, recipients.Select(id => new NewNotification(
                id, NotificationKinds.AdminMessage, body.Title, body.Body, body.Link, new JsonObject { ["from"] = from })), handOff, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && e.ConstraintName == UserForeignKey)
        {
            return UnknownUsers(recipients);
        }

        var sent = new SentCount(recipients.Count);
        if (key is not null)
        {
            await IdempotencyKeys.CompleteAsync(c, tx!, from, "notifications", key, StatusCodes.Status202Accepted, sent, null, ct);
            await tx!.CommitAsync(ct);
            handOff.Send(written.Pushes);
        }

        return TypedResults.Accepted((string?)null, sent);
    }

    /// <summary>The notification's reference to its reader (migration 0002): it fails for a user that does not exist.</summary>
    private const string UserForeignKey = "notifications_user_id_fkey";

    private static ProblemHttpResult UnknownUsers(IEnumerable<long> unknown) => Problems.Unprocessable(
        "notification.unknown_users",
        new Dictionary<string, FieldText> { ["to.userIds"] = Problems.Field("field.unknown_users", ("ids", string.Join(", ", unknown))) });

    // One statement per kind of target rather than one "@all OR id = ANY(@ids) OR role = @role": PostgreSQL
    // cannot use an index for a plan that must also serve @all, so it planned that statement afresh on every
    // call (0.1-0.2 ms of planning per message). A role and everyone each settle on a generic plan after five
    // uses; a list of users is still planned for its array (a generic plan guesses its length), which a message
    // to many users spreads over its recipients. One user needs no audience statement at all.
    internal static string AudienceSql(MessageTarget to) =>
        to.UserIds is not null ? "SELECT id FROM users WHERE id = ANY(@ids) ORDER BY id"
        : to.Role is not null ? "SELECT id FROM users WHERE role = @role ORDER BY id"
        : "SELECT id FROM users ORDER BY id";
}
