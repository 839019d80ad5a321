using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Situk.Contracts;

namespace Situk.Bench.Baseline;

/// <summary>
/// The floor under the API's CPU per notification (G6): the smallest honest ASP.NET Core endpoint that stores a
/// message, run as a child process like the API. <c>Situk.Bench baseline-rest --url http://127.0.0.1:P --db CONNECTION</c>.
/// <list type="bullet">
/// <item><c>POST /notifications</c> with <c>{"userId":1,"title":"…","body":"…"}</c>: the body bound from JSON, one
/// <c>INSERT … RETURNING id</c> on a pooled connection, <c>202</c> with <c>{"id":n}</c>.</item>
/// </list>
/// No authentication, no validation, no outbox, no push, no receipts: what Kestrel, JSON binding and one Npgsql round
/// trip cost alone, on the same runtime settings as the API (workstation GC, tiered PGO off, no thread-pool spinning;
/// set by the bench through the environment).
/// <para>
/// With <c>--push ws://…/internal --key KEY</c> each call also pushes what it stored to the user's devices before it
/// answers (<see cref="BarePushLink"/>: one publish over the broker's internal socket and its answer), the id negated
/// so the broker keeps no written record of it: the least a REST call that stores and pushes a notification costs.
/// </para>
/// </summary>
public static class RestBaseline
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS bare_notifications (
            id bigserial PRIMARY KEY,
            user_id bigint NOT NULL,
            title text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())
        """;

    private const string Insert = "INSERT INTO bare_notifications (user_id, title, body) VALUES ($1, $2, $3) RETURNING id, created_at";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = Argument(args, "--url") ?? "http://127.0.0.1:5092";
        var db = Argument(args, "--db") ?? throw new ArgumentException("baseline-rest needs --db CONNECTION");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        await using var dataSource = NpgsqlDataSource.Create(db);
        await using (var command = dataSource.CreateCommand(CreateTable))
        {
            await command.ExecuteNonQueryAsync();
        }

        var push = Argument(args, "--push");
        await using var link = push is null ? null : await BarePushLink.ConnectAsync(
            new Uri(push), Argument(args, "--key") ?? throw new ArgumentException("baseline-rest --push needs --key KEY"));
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapPost("/notifications", (BareMessage message, CancellationToken ct) => StoreAsync(dataSource, link, message, ct));
        await app.RunAsync();
        return 0;
    }

    private static async Task<IResult> StoreAsync(NpgsqlDataSource dataSource, BarePushLink? link, BareMessage message, CancellationToken ct)
    {
        long id;
        DateTime createdAt;
        await using (var command = dataSource.CreateCommand(Insert))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = message.UserId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.Title });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message.Body });
            await using var row = await command.ExecuteReaderAsync(ct);
            await row.ReadAsync(ct);
            (id, createdAt) = (row.GetInt64(0), row.GetDateTime(1));
        }

        if (link is not null)
        {
            await link.PublishAsync(
                message.UserId.ToString(CultureInfo.InvariantCulture),
                new PushNotification(-id, NotificationKinds.AdminMessage, message.Title, message.Body, null, null, new DateTimeOffset(createdAt, TimeSpan.Zero)),
                ct);
        }

        return Results.Accepted(null, new BareStored(id));
    }

    private static string? Argument(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Body of the bare endpoint: the fields of an admin message to one user, without its validation.</summary>
public sealed record BareMessage(long UserId, string Title, string Body);

public sealed record BareStored(long Id);
