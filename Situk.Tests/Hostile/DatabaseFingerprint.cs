using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

/// <summary>
/// A checksum of every row of the stored tables (md5 over each row's text form, in a fixed order):
/// a refused request must leave it exactly as it was, not merely keep the row counts. Of the two outboxes
/// only what a request writes counts; their delivery bookkeeping (state, attempts, next attempt, last
/// error) is the relays' own, and they keep retrying in the background whatever the request did.
/// </summary>
internal static class DatabaseFingerprint
{
    private static readonly Dictionary<string, string> Rows = new()
    {
        ["push_outbox"] = "(t.id, t.notification_id, t.created_at)",
        ["email_outbox"] = "(t.id, t.notification_id, t.user_id, t.to_address, t.subject, t.text_body, t.html_body, t.created_at)",
    };

    public static async Task<Dictionary<string, string>> TakeAsync(ApiFixture api)
    {
        var sums = new Dictionary<string, string>();
        foreach (var table in ApiFixture.StoredTables)
        {
            var row = Rows.GetValueOrDefault(table, "t");
            sums[table] = await api.ScalarAsync<string>(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg({row}::text, '|' ORDER BY {row}::text)), '-') FROM {table} t");
        }

        return sums;
    }

    /// <summary>Asserts nothing stored changed since <paramref name="before"/>, naming the tables that did.</summary>
    public static async Task AssertUnchangedAsync(ApiFixture api, Dictionary<string, string> before, string because)
    {
        var after = await TakeAsync(api);
        var changed = before.Keys.Where(t => before[t] != after[t]).ToList();
        Assert.That(changed, Is.Empty, $"stored data changed ({because})");
    }
}
