using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Situk.Api.Database;
using Situk.Tests.Support;

namespace Situk.Tests.Database;

[Description("Migration 0009 puts every stored email into its canonical form without merging accounts or handing an address to someone who never proved it.")]
public sealed class EmailCanonicalMigrationTests
{
    [Test]
    public async Task Existing_emails_are_canonicalised_and_display_name_rows_lose_their_verified_mark()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        await ApplyScriptsBeforeAsync(db, "0009_");
        await using var connection = db.Open();
        await connection.ExecuteAsync(
            """
            INSERT INTO users (full_name, email, role, password_hash) VALUES
              ('Mixed', '  Mixed.Case@Situk.Test ', 'asesi', 'x'),
              ('Victim', 'Victim@Situk.Test', 'asesi', 'x'),
              ('Eve', 'Eve <victim@situk.test>', 'asesi', 'x'),
              ('Mallory', 'Mallory <mallory@situk.test>', 'asesi', 'x'),
              ('Plain', 'plain@situk.test', 'admin', 'x')
            """);

        await Migrator.MigrateAsync(db.ConnectionString, NullLogger.Instance, CancellationToken.None);

        var rows = (await connection.QueryAsync<(string FullName, string Email, bool Verified)>(
            "SELECT full_name, email, email_verified_at IS NOT NULL FROM users ORDER BY id")).ToDictionary(r => r.FullName);
        Assert.Multiple(() =>
        {
            Assert.That(rows["Mixed"], Is.EqualTo(("Mixed", "mixed.case@situk.test", true)));
            Assert.That(rows["Victim"], Is.EqualTo(("Victim", "victim@situk.test", true)), "the real owner keeps the address");
            Assert.That(rows["Eve"], Is.EqualTo(("Eve", "Eve <victim@situk.test>", false)), "the look-alike is neither merged nor verified");
            Assert.That(rows["Mallory"], Is.EqualTo(("Mallory", "mallory@situk.test", false)), "a free inner address is taken, unproved");
            Assert.That(rows["Plain"], Is.EqualTo(("Plain", "plain@situk.test", true)));
        });
        var refused = Assert.CatchAsync(() => connection.ExecuteAsync(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('New', 'Someone <new@situk.test>', 'asesi', 'x')"));
        Assert.That(refused!.Message, Does.Contain("users_email_canonical"));
    }

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
