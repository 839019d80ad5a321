using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

/// <summary>
/// A checksum of every row of the stored tables (md5 over each row's text form, in a fixed order):
/// a refused request must leave it exactly as it was, not merely keep the row counts.
/// </summary>
internal static class DatabaseFingerprint
{
    public static async Task<Dictionary<string, string>> TakeAsync(ApiFixture api)
    {
        var sums = new Dictionary<string, string>();
        foreach (var table in ApiFixture.StoredTables)
        {
            sums[table] = await api.ScalarAsync<string>(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM {table} t");
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
