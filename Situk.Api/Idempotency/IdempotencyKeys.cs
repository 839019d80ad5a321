using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;

namespace Situk.Api.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> for creation routes (<c>POST /registrations</c>, <c>POST /notifications</c>).
/// The key is claimed inside the request's own transaction: a retry with the same key and body gets the
/// first answer back and creates nothing; the same key with another body is refused with 422; two
/// identical requests at once are serialised by the key's primary key (the second waits, then replays).
/// A refused request rolls back and leaves no key behind, so it may be retried. Keys replay for 24 hours;
/// <see cref="IdempotencySweeper"/> deletes them after <c>Situk:Idempotency:Retention</c> (default 24 hours).
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The key from the request: null when absent, or a 400 problem when malformed.</summary>
    public static (string? Key, ProblemHttpResult? Problem) Read(HttpRequest request)
    {
        var values = request.Headers[Header];
        if (values.Count == 0)
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0]?.Trim() : null;
        return key is { Length: > 0 and <= MaxLength } && key.All(c => c is >= '!' and <= '~')
            ? (key, null)
            : (null, Problems.Problem(
                StatusCodes.Status400BadRequest,
                "idempotency.malformed",
                new Dictionary<string, FieldText> { [Header] = Problems.Field("field.malformed") },
                ("header", Header),
                ("max", MaxLength)));
    }

    /// <summary>A SHA-256 of the request body as bound, so the same key with another body is caught.</summary>
    public static string Fingerprint<T>(T body) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web)));

    /// <summary>
    /// Claims the key in <paramref name="tx"/>. Both null: go on, and call <see cref="CompleteAsync"/> before
    /// committing. Otherwise the answer to give instead: the first answer replayed, or 422 for another body.
    /// </summary>
    public static async Task<(ReplayedAnswer? Replay, ProblemHttpResult? Problem)> ClaimAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, long userId, string route, string key, string fingerprint, CancellationToken ct)
    {
        // An expired key is forgotten here even if the sweeper has not reached it yet; the sweeper
        // (IdempotencySweeper) deletes everyone else's.
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency_keys WHERE user_id = @userId AND route = @route AND key = @key AND created_at < now() - @lifetime",
            new { userId, route, key, lifetime = Lifetime }, tx, cancellationToken: ct));
        var claimed = await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO idempotency_keys (user_id, route, key, fingerprint) VALUES (@userId, @route, @key, @fingerprint)
            ON CONFLICT (user_id, route, key) DO NOTHING
            """,
            new { userId, route, key, fingerprint }, tx, cancellationToken: ct));
        if (claimed == 1)
        {
            return (null, null);
        }

        var first = await c.QuerySingleAsync<StoredAnswer>(new CommandDefinition(
            "SELECT fingerprint, status_code AS statusCode, body, location FROM idempotency_keys WHERE user_id = @userId AND route = @route AND key = @key",
            new { userId, route, key }, tx, cancellationToken: ct));
        return first.Fingerprint != fingerprint
            ? (null, Problems.Unprocessable("idempotency.other_body", ("header", Header)))
            : (new ReplayedAnswer(first.StatusCode ?? StatusCodes.Status200OK, first.Body ?? "null", first.Location), null);
    }

    /// <summary>Stores the answer with the key, in the same transaction as what the request created.</summary>
    public static Task CompleteAsync<T>(
        NpgsqlConnection c, NpgsqlTransaction tx, long userId, string route, string key, int statusCode, T answer, string? location, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotency_keys SET status_code = @statusCode, body = @body, location = @location WHERE user_id = @userId AND route = @route AND key = @key",
            new { userId, route, key, statusCode, body = JsonSerializer.Serialize(answer, JsonSerializerOptions.Web), location }, tx, cancellationToken: ct));

    private sealed record StoredAnswer(string Fingerprint, int? StatusCode, string? Body, string? Location);
}

/// <summary>The first answer to an idempotent request, given again; marked with <c>Idempotent-Replayed: true</c>.</summary>
public sealed class ReplayedAnswer(int statusCode, string body, string? location) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.Headers["Idempotent-Replayed"] = "true";
        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }

        return httpContext.Response.WriteAsync(body, httpContext.RequestAborted);
    }
}
