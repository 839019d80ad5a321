using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Relay;
using Situk.Contracts;

namespace Situk.Api.Notifications;

public sealed record UnreadCount(long Count);

/// <summary>The signed-in user's inbox: each notification once, pageable by id, markable as read.</summary>
public static class InboxApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private sealed record Row(
        long Id, string Kind, string Title, string Body, string? Link, string? Data,
        DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt);

    public static IEndpointRouteBuilder MapInbox(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/me/notifications").WithTags("Inbox").RequireAuthorization();

        group.MapGet("/", List).WithSummary("The caller's notifications after a cursor id (limit 1–200, default 50): oldest first, or newest first with order=desc.");
        // An id that is not an int64 names nothing: 404, as on every id route.
        group.MapGet("/{id:long}", GetOne).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One of the caller's notifications with its full words (how a device fetches a pull-after-push notice).");
        group.MapGet("/unread-count", Unread).WithSummary("How many of the caller's notifications are unread.");
        group.MapPost("/{id:long}/read", MarkRead).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Marks one of the caller's notifications as read.");
        group.MapPost("/read-all", MarkAllRead).WithSummary("Marks every unread notification of the caller as read.");
        return routes;
    }

    /// <summary>Most ids in one read-sync frame when marking all read (256, the most a device may send in one read or ack frame), so frames stay small however many were unread.</summary>
    public const int ReadSyncChunk = 256;

    private static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(
        long? after, int? limit, string? order, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        // Oldest first by default; newest first pages downwards: "after" is then the last id seen, and the next page holds smaller ids.
        var newestFirst = order switch
        {
            null or "asc" => false,
            "desc" => true,
            _ => (bool?)null,
        };
        if (newestFirst is null)
        {
            return Problems.Invalid("order", "list.order");
        }

        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            return Problems.Invalid("limit", "list.limit", ("max", MaxLimit));
        }

        if (after is < 0)
        {
            return Problems.Invalid("after", "list.after_negative");
        }

        await using var c = await db.OpenConnectionAsync(ct);
        const string oldestFirstSql = """
            SELECT id, kind, title, body, link, data::text AS data, created_at AS createdAt,
                   delivered_at AS deliveredAt, read_at AS readAt
            FROM notifications
            WHERE user_id = @me AND id > @after
            ORDER BY id
            LIMIT @take
            """;
        const string newestFirstSql = """
            SELECT id, kind, title, body, link, data::text AS data, created_at AS createdAt,
                   delivered_at AS deliveredAt, read_at AS readAt
            FROM notifications
            WHERE user_id = @me AND id < @before
            ORDER BY id DESC
            LIMIT @take
            """;
        var rows = (await c.QueryAsync<Row>(new CommandDefinition(
            newestFirst.Value ? newestFirstSql : oldestFirstSql,
            new { me = Caller.From(user).UserId, after = after ?? 0, before = after is null or 0 ? long.MaxValue : after.Value, take = take + 1 }, cancellationToken: ct))).ToList();
        var more = rows.Count > take;
        var items = rows.Take(take).Select(ToItem).ToArray();
        return TypedResults.Ok(new InboxPage(items, more ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<InboxItem>, ProblemHttpResult>> GetOne(long id, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT id, kind, title, body, link, data::text AS data, created_at AS createdAt,
                   delivered_at AS deliveredAt, read_at AS readAt
            FROM notifications
            WHERE id = @id AND user_id = @me
            """,
            new { id, me = Caller.From(user).UserId }, cancellationToken: ct));

        // Someone else's notification is not found, as an unknown id: the answer reveals nothing.
        return row is null ? Problems.NotFound("notification.not_found", ("id", id)) : TypedResults.Ok(ToItem(row));
    }

    private static async Task<Ok<UnreadCount>> Unread(ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var count = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM notifications WHERE user_id = @me AND read_at IS NULL", new { me = Caller.From(user).UserId }, cancellationToken: ct));
        return TypedResults.Ok(new UnreadCount(count));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(
        long id, ClaimsPrincipal user, NpgsqlDataSource db, IBrokerTransport link, CancellationToken ct)
    {
        var me = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        var found = await c.ExecuteAsync(new CommandDefinition(
            """
            WITH audit AS (
                INSERT INTO notification_reads (notification_id, source, via, read_at)
                SELECT id, 'rest', 'rest', clock_timestamp() FROM notifications WHERE id = @id AND user_id = @me
                ON CONFLICT DO NOTHING
            )
            UPDATE notifications SET read_at = coalesce(read_at, clock_timestamp()) WHERE id = @id AND user_id = @me
            """,
            new { id, me }, cancellationToken: ct));
        if (found == 0)
        {
            return Problems.NotFound("notification.not_found", ("id", id));
        }

        // The user's devices update their unread counts at once (read sync).
        ReadSync.Announce(link, me, [id]);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> MarkAllRead(ClaimsPrincipal user, NpgsqlDataSource db, IBrokerTransport link, CancellationToken ct)
    {
        var me = Caller.From(user).UserId;
        await using var c = await db.OpenConnectionAsync(ct);
        // The same audit row and read time as marking one read, for every unread notification of the caller only.
        var ids = (await c.QueryAsync<long>(new CommandDefinition(
            """
            WITH audit AS (
                INSERT INTO notification_reads (notification_id, source, via, read_at)
                SELECT id, 'rest', 'rest', clock_timestamp() FROM notifications WHERE user_id = @me AND read_at IS NULL
                ON CONFLICT DO NOTHING
            )
            UPDATE notifications SET read_at = clock_timestamp() WHERE user_id = @me AND read_at IS NULL RETURNING id
            """,
            new { me }, cancellationToken: ct))).Order().ToArray();

        // The user's devices update their unread counts at once (read sync), as for a single read.
        foreach (var chunk in ids.Chunk(ReadSyncChunk))
        {
            ReadSync.Announce(link, me, chunk);
        }

        return TypedResults.NoContent();
    }

    private static InboxItem ToItem(Row r)
    {
        JsonElement? data = null;
        if (r.Data is not null)
        {
            using var document = JsonDocument.Parse(r.Data);
            data = document.RootElement.Clone();
        }

        return new InboxItem(r.Id, r.Kind, r.Title, r.Body, r.Link, data, r.CreatedAt, r.DeliveredAt, r.ReadAt);
    }
}
