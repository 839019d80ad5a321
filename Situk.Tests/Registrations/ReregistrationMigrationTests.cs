using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Situk.Api.Database;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("Migration 0019 on registrations stored before it: each gets its schedule's scheme; rows that already break the "
    + "one-active-registration-per-scheme rule stop the migration, named, and leave the schema as it was.")]
public sealed class ReregistrationMigrationTests
{
    [Test]
    public async Task Existing_registrations_get_their_schedules_scheme()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        await ApplyScriptsBeforeAsync(db, "0019_");
        await using var connection = db.Open();
        var (scheme, first, second, asesi) = await SeedAsync(connection);
        var rejected = await RegisterAsync(connection, first, asesi, "rejected");
        var active = await RegisterAsync(connection, second, asesi, "submitted");

        await Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None);

        var schemes = (await connection.QueryAsync<long>("SELECT scheme_id FROM registrations WHERE id IN (@rejected, @active)", new { rejected, active })).ToArray();
        Assert.That(schemes, Is.EqualTo(new[] { scheme, scheme }));
        var again = Assert.ThrowsAsync<PostgresException>(() => RegisterAsync(connection, first, asesi, "submitted"));
        Assert.That(again!.ConstraintName, Is.EqualTo("registrations_active_per_scheme"));
    }

    [Test]
    public async Task Two_active_registrations_for_one_scheme_stop_the_migration_naming_them()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        await ApplyScriptsBeforeAsync(db, "0019_");
        await using var connection = db.Open();
        var (scheme, first, second, asesi) = await SeedAsync(connection);
        var one = await RegisterAsync(connection, first, asesi, "submitted");
        var two = await RegisterAsync(connection, second, asesi, "verified");

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("0019_reregistration").And.Contain($"asesi {asesi}, scheme {scheme}: registrations {one}, {two}"));
        Assert.That(await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'registrations' AND column_name = 'scheme_id')"), Is.False,
            "the script ran in one transaction and left nothing behind");
    }

    private static async Task<(long Scheme, long First, long Second, long Asesi)> SeedAsync(NpgsqlConnection c)
    {
        var scheme = await c.ExecuteScalarAsync<long>("INSERT INTO schemes (code, name) VALUES ('MIG', 'Migration scheme') RETURNING id");
        var place = await c.ExecuteScalarAsync<long>("INSERT INTO places (name, address) VALUES ('TUK', 'Surabaya') RETURNING id");
        const string schedule = "INSERT INTO schedules (scheme_id, place_id, opens_at, closes_at, quota) VALUES (@scheme, @place, now() - interval '1 day', now() + interval '1 day', 5) RETURNING id";
        var first = await c.ExecuteScalarAsync<long>(schedule, new { scheme, place });
        var second = await c.ExecuteScalarAsync<long>(schedule, new { scheme, place });
        var asesi = await c.ExecuteScalarAsync<long>(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('Asesi', 'migration-asesi@situk.test', 'asesi', 'x') RETURNING id");
        return (scheme, first, second, asesi);
    }

    private static Task<long> RegisterAsync(NpgsqlConnection c, long schedule, long asesi, string status) =>
        c.ExecuteScalarAsync<long>(
            "INSERT INTO registrations (schedule_id, asesi_id, status, apl01) VALUES (@schedule, @asesi, @status, '{}'::jsonb) RETURNING id",
            new { schedule, asesi, status });

    /// <summary>Runs the embedded scripts named before <paramref name="prefix"/> and journals them as DbUp does.</summary>
    private static async Task ApplyScriptsBeforeAsync(TestDatabase db, string prefix)
    {
        var assembly = typeof(Migrator).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Database.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .TakeWhile(n => string.CompareOrdinal(n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..], prefix) < 0)
            .ToList();
        await using var connection = db.Open();
        await connection.ExecuteAsync(
            "CREATE TABLE schema_versions (schemaversionsid serial PRIMARY KEY, scriptname character varying(255) NOT NULL, applied timestamp without time zone NOT NULL)");
        foreach (var name in names)
        {
            await using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            await connection.ExecuteAsync(await reader.ReadToEndAsync());
            await connection.ExecuteAsync("INSERT INTO schema_versions (scriptname, applied) VALUES (@name, now())", new { name });
        }
    }
}
