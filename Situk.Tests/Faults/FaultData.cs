using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// What a fault test reads and seeds the same way on every system it starts (<see cref="LoadedSystem"/>,
/// <see cref="ChildSystem"/>, <c>ClusterFaults.ProcessCluster</c>): users inserted directly, stored
/// notifications by title tag, a user's whole REST inbox, one scalar.
/// </summary>
internal static class FaultData
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(ct))!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Every stored notification whose title starts with <paramref name="tag"/>: (user, title, delivered).</summary>
    public static async Task<List<(long User, string Title, bool Delivered)>> StoredAsync(string connectionString, string tag, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT user_id, title, delivered_at IS NOT NULL FROM notifications WHERE starts_with(title, @tag)", connection);
        command.Parameters.AddWithValue("tag", tag);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<(long, string, bool)>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return rows;
    }

    /// <summary>
    /// <paramref name="count"/> asesi inserted directly (emails <c>{emailPrefix}-n@situk.test</c>): a thousand
    /// sign-ups would spend the run hashing passwords. Devices and REST calls use tokens minted with the shared
    /// signing key, as the API's own would be.
    /// </summary>
    public static async Task<IReadOnlyList<long>> InsertUsersAsync(string connectionString, int count, string emailPrefix, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT 'Asesi ' || n, @prefix || '-' || n || '@situk.test', 'asesi', 'not-a-password-hash'
            FROM generate_series(1, @count) AS n
            RETURNING id
            """, connection);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("prefix", emailPrefix);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<long>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>A user's whole REST inbox, every page, read through <paramref name="api"/> with that user's own token.</summary>
    public static async Task<List<InboxItem>> InboxAsync(HttpClient api, TestTokens tokens, long userId, CancellationToken ct)
    {
        var token = tokens.Issue(userId.ToString(CultureInfo.InvariantCulture), Roles.Asesi);
        var items = new List<InboxItem>();
        long after = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/me/notifications?after={after}&limit=200");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await api.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            var page = (await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxPage, ct))!;
            items.AddRange(page.Items);
            if (page.Next is not { } next)
            {
                return items;
            }

            after = next;
        }
    }

    /// <summary>A REST client on <paramref name="api"/> carrying a minted token for this user and role.</summary>
    public static HttpClient ApiClient(Uri api, TestTokens tokens, long userId, string role, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = api, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Issue(userId.ToString(CultureInfo.InvariantCulture), role));
        return client;
    }
}
