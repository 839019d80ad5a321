using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Situk.Api.Database;

namespace Situk.Tests.Support;

/// <summary>
/// One database of its own per fixture, on the real server: isolation by unique names, never an
/// in-memory stand-in. Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates an empty database; with <paramref name="migrate"/>, applies every migration too.</summary>
    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var database = new TestDatabase(admin, "situk_t_" + Guid.NewGuid().ToString("N")[..12]);
        await database.ExecuteAdminAsync($"CREATE DATABASE \"{database.Name}\"");
        if (migrate)
        {
            await Migrator.MigrateAsync(database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        }

        return database;
    }

    public NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
