using System.Globalization;
using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace Situk.Api.Database;

/// <summary>
/// Applies the SQL scripts embedded under <c>Database/Migrations</c>, in name order, journaled by
/// DbUp in <c>public.schema_versions</c>. A script already journaled is never run again, so running
/// this twice changes nothing. Several API instances starting at once take turns on a PostgreSQL
/// advisory lock, so a script never runs twice concurrently.
/// </summary>
public static partial class Migrator
{
    // An arbitrary constant: the advisory lock key that serialises migrations across instances.
    private const long LockKey = 0x5174_6B4D_6967;

    /// <summary>Creates the database when missing, then applies every pending script.</summary>
    /// <returns>The names of the scripts applied by this call (empty when up to date).</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new DbUpLog(logger));

        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", LockKey);
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Database.Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", "schema_versions")
                .LogTo(new DbUpLog(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
            }

            var applied = result.Scripts.Select(s => s.Name).ToList();
            LogApplied(logger, applied.Count);
            return applied;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", LockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Database migrations: {Count} script(s) applied")]
    private static partial void LogApplied(ILogger logger, int count);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "DbUp: {Message}")]
    private static partial void LogDbUpDebug(ILogger logger, string message);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "DbUp: {Message}")]
    private static partial void LogDbUpWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "DbUp: {Message}")]
    private static partial void LogDbUpError(ILogger logger, Exception? exception, string message);

    /// <summary>DbUp's log, forwarded to the host's logging at one level lower than DbUp's chatter deserves.</summary>
    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => LogDbUpDebug(logger, Format(format, args));

        public void LogDebug(string format, params object[] args) => LogDbUpDebug(logger, Format(format, args));

        public void LogInformation(string format, params object[] args) => LogDbUpDebug(logger, Format(format, args));

        public void LogWarning(string format, params object[] args) => LogDbUpWarning(logger, Format(format, args));

        public void LogError(string format, params object[] args) => LogDbUpError(logger, null, Format(format, args));

        public void LogError(Exception ex, string format, params object[] args) => LogDbUpError(logger, ex, Format(format, args));

        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
