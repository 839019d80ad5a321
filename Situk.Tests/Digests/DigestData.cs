using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Situk.Api.Database;
using Situk.Api.Digests;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Tests.Digests;

/// <summary>People and their notices written straight through <see cref="NotificationWriter"/>, and sweepers over them.</summary>
internal sealed class DigestData(NpgsqlDataSource dataSource)
{
    private static int _people;

    static DigestData() => DapperSetup.Configure();

    public async Task<long> PersonAsync(string role, string language = "id", string zone = "Asia/Jakarta")
    {
        var n = Interlocked.Increment(ref _people);
        await using var c = await dataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO users (full_name, email, role, password_hash, language, time_zone) VALUES (@name, @email, @role, 'x', @language, @zone) RETURNING id",
            new { name = $"Person {n}", email = $"person{n}-{Guid.NewGuid():N}@situk.test", role, language, zone });
    }

    /// <summary>Writes one notice per name to <paramref name="userId"/>, each in its own transaction as a registration would; their ids.</summary>
    public async Task<long[]> NoticesAsync(long userId, string kind, params string[] names)
    {
        var ids = new List<long>();
        await using var c = await dataSource.OpenConnectionAsync();
        foreach (var name in names)
        {
            await using var tx = await c.BeginTransactionAsync();
            ids.AddRange(await NotificationWriter.AddAsync(
                c, tx, [new NewNotification(userId, kind, "New registration", $"{name} registered for Junior Web Developer; the APL-01 awaits verification.", "/registrations/1")], CancellationToken.None));
            await tx.CommitAsync();
        }

        return [.. ids];
    }

    public DigestSweeper Sweeper(TimeProvider time, DigestOptions? options = null) => new(
        dataSource,
        new OutboxListener(dataSource, Options.Create(new Situk.Api.Relay.RelayOptions()), time, NullLogger<OutboxListener>.Instance),
        new DigestComposer(TextCatalog.Embedded, new PullPolicy(Options.Create(new PullOptions()))),
        Options.Create(options ?? new DigestOptions()),
        time,
        NullLogger<DigestSweeper>.Instance);

    public static FakeTimeProvider Now() => new(DateTimeOffset.UtcNow);

    public async Task<IReadOnlyList<Digest>> DigestsAsync()
    {
        await using var c = await dataSource.OpenConnectionAsync();
        var rows = await c.QueryAsync<(long Id, long UserId, string Title, string Body, string Data, string Language, string TimeZone)>(
            "SELECT id, user_id, title, body, data::text, language, time_zone FROM notifications WHERE kind = @kind ORDER BY id", new { kind = NotificationKinds.Digest });
        return [.. rows.Select(r => new Digest(
            r.Id, r.UserId, r.Title, r.Body,
            [.. JsonDocument.Parse(r.Data).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetInt64())],
            (r.Language, r.TimeZone)))];
    }

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var c = await dataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(sql, args);
    }
}

/// <summary>A digest as stored: whose it is, its words, the items its data lists and the language and zone it was written in.</summary>
internal sealed record Digest(long Id, long UserId, string Title, string Body, long[] Items, (string Language, string TimeZone) Locale);
