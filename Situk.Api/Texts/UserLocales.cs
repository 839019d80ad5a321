using Npgsql;

namespace Situk.Api.Texts;

/// <summary>The stored language and time zone of the users a text is about to be written for.</summary>
public static class UserLocales
{
    /// <summary>
    /// One query for any number of users. A user the database does not know is absent from the answer;
    /// a zone the machine does not know (its tz database changed) falls back to <see cref="Locale.DefaultZoneId"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, Locale>> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, IEnumerable<long> userIds, CancellationToken ct)
    {
        var ids = userIds.Distinct().ToArray();
        var found = new Dictionary<long, Locale>(ids.Length);
        if (ids.Length == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand("SELECT id, language, time_zone FROM users WHERE id = ANY(@ids)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetInt64(0)] = From(reader.GetString(1), reader.GetString(2));
        }

        return found;
    }

    /// <summary>A stored language and zone as a reader; a zone the machine no longer knows is <see cref="Locale.DefaultZoneId"/>.</summary>
    public static Locale From(string language, string zoneId) => Locale.For(language, Locale.IsZone(zoneId) ? zoneId : Locale.DefaultZoneId);
}
