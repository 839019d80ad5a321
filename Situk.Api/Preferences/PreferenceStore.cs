using Dapper;
using Npgsql;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// <c>notification_preferences</c>: one row per person and group they changed; no row means both
/// channels on. The writer reads the table itself (<c>NotificationWriter</c>'s SQL), so what is stored
/// here applies to every notification written after it.
/// </summary>
public static class PreferenceStore
{
    /// <summary>The person's choice for every group, stored or default (on), with a mandatory group's email shown on.</summary>
    public static async Task<PreferencesDto> LoadAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long userId, MandatoryEmail mandatory, CancellationToken ct)
    {
        var stored = (await c.QueryAsync<(string Group, bool Push, bool Email)>(new CommandDefinition(
            "SELECT kind_group, push, email FROM notification_preferences WHERE user_id = @userId",
            new { userId }, tx, cancellationToken: ct))).ToDictionary(r => r.Group, StringComparer.Ordinal);
        return new PreferencesDto([.. NotificationGroups.All.Select(g =>
        {
            var lockedBy = mandatory.LockedBy(g);
            var (push, email) = stored.TryGetValue(g.Name, out var row) ? (row.Push, row.Email) : (true, true);
            return new GroupPreference(g.Name, g.Kinds, push, email || lockedBy is not null, lockedBy);
        })]);
    }

    /// <summary>Stores the choices (both channels of each group named; other groups stay).</summary>
    public static Task SaveAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, IReadOnlyList<GroupChoice> choices, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO notification_preferences (user_id, kind_group, push, email)
            SELECT @userId, g, p, e FROM unnest(@groups, @push, @email) AS t(g, p, e)
            ON CONFLICT (user_id, kind_group) DO UPDATE
            SET push = excluded.push, email = excluded.email, updated_at = clock_timestamp()
            """,
            new
            {
                userId,
                groups = choices.Select(x => x.Group).ToArray(),
                push = choices.Select(x => x.Push).ToArray(),
                email = choices.Select(x => x.Email).ToArray(),
            },
            tx,
            cancellationToken: ct));

    /// <summary>Switches one group's email off, its push as it was (on when never stored).</summary>
    public static Task SwitchEmailOffAsync(NpgsqlConnection c, NpgsqlTransaction tx, long userId, string group, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO notification_preferences (user_id, kind_group, push, email) VALUES (@userId, @group, true, false)
            ON CONFLICT (user_id, kind_group) DO UPDATE SET email = false, updated_at = clock_timestamp()
            """,
            new { userId, group },
            tx,
            cancellationToken: ct));

    /// <summary>
    /// Switches email back on wherever a group is now mandatory (a kind added to
    /// <c>Situk:Notifications:MandatoryEmailKinds</c> after someone switched its group off). Run at start.
    /// </summary>
    public static async Task<int> ReopenLockedEmailAsync(NpgsqlDataSource dataSource, MandatoryEmail mandatory, CancellationToken ct)
    {
        await using var c = await dataSource.OpenConnectionAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE notification_preferences SET email = true, updated_at = clock_timestamp() WHERE NOT email AND kind_group = ANY(@groups)",
            new { groups = mandatory.LockedGroups.ToArray() },
            cancellationToken: ct));
    }
}
