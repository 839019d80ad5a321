using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Situk.Api.Database;
using Situk.Tests.Support;

namespace Situk.Tests.Database;

[Description("The database bootstrap: embedded SQL scripts, journaled by DbUp, on a real PostgreSQL.")]
public sealed class MigratorTests
{
    [Test]
    public async Task The_test_server_is_a_real_PostgreSQL()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        await using var connection = db.Open();

        var version = await connection.ExecuteScalarAsync<string>("SELECT version()");
        var versionNumber = await connection.ExecuteScalarAsync<int>("SELECT current_setting('server_version_num')::int");

        Assert.Multiple(() =>
        {
            Assert.That(version, Does.StartWith("PostgreSQL "));
            Assert.That(versionNumber, Is.GreaterThanOrEqualTo(150000));
        });
    }

    [Test]
    public async Task Migrations_apply_to_an_empty_database_in_name_order()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);

        var applied = await Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None);

        var embedded = EmbeddedScriptNames();
        Assert.That(applied, Is.EqualTo(embedded), "every embedded script, in order");
        await using var connection = db.Open();
        var journaled = (await connection.QueryAsync<string>("SELECT scriptname FROM schema_versions ORDER BY schemaversionsid")).ToList();
        Assert.That(journaled, Is.EqualTo(embedded));
        Assert.That(await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('public.users') IS NOT NULL"), Is.True);
    }

    [Test]
    [Description("Start-up runs the migrations every time; a second run must change nothing at all.")]
    public async Task Running_migrations_twice_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        await Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None);
        var before = await SchemaFingerprintAsync(db);

        var appliedAgain = await Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None);

        Assert.That(appliedAgain, Is.Empty);
        Assert.That(await SchemaFingerprintAsync(db), Is.EqualTo(before));
    }

    [Test]
    [Description("Two API instances starting together on one empty database: each script runs once.")]
    public async Task Concurrent_migrations_run_each_script_once()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None))));

        Assert.That(runs.Sum(r => r.Count), Is.EqualTo(EmbeddedScriptNames().Count));
        await using var connection = db.Open();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_versions"), Is.EqualTo(EmbeddedScriptNames().Count));
    }

    private static List<string> EmbeddedScriptNames() =>
        typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Database.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static async Task<string> SchemaFingerprintAsync(TestDatabase db)
    {
        await using var connection = db.Open();
        var columns = await connection.QueryAsync<string>(
            """
            SELECT table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            ORDER BY table_name, ordinal_position
            """);
        var constraints = await connection.QueryAsync<string>(
            "SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname");
        var indexes = await connection.QueryAsync<string>(
            "SELECT indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
        var journal = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_versions");
        return string.Join('\n', columns.Concat(constraints).Concat(indexes).Append($"journal:{journal}"));
    }
}
