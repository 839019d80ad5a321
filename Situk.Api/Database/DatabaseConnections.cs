using System.Data.Common;
using Npgsql;

namespace Situk.Api.Database;

/// <summary>
/// How the API's connections to PostgreSQL are set up beyond what <c>ConnectionStrings:Situk</c> says.
/// Npgsql parses and PostgreSQL plans every statement afresh unless it is prepared; the notification writer's
/// statement alone took about 0.6 ms of planning per notification (pg_stat_statements, the bench's
/// <c>knee --statements</c>). Automatic preparation keeps the hot statements prepared on each pooled
/// connection, across its returns to the pool, after their fifth use.
/// A connection returned to the pool is not reset (<c>No Reset On Close</c>): the reset cost three statements
/// per return (<c>SET SESSION AUTHORIZATION DEFAULT</c>, <c>RESET ALL</c>, <c>pg_advisory_unlock_all()</c>), 1.7
/// per notification, and the API leaves no session state behind: it takes only transaction-scoped advisory locks
/// (the migrator's session lock is on a connection of its own, unlocked explicitly), sets nothing with
/// <c>SET</c> but the outbox listener's name, which it resets with its <c>LISTEN</c> before it lets its connection
/// go (<c>OutboxListener</c>), and Npgsql rolls back a transaction left open whatever this setting says.
/// Every connection of one data source (one API instance) also carries <c>situk.instance</c>, a name drawn for
/// that data source, as a startup option: the outbox triggers put it in their NOTIFY payload, so the writing
/// instance's relays look at new rows at once and the other instances' only later (migration 0025).
/// </summary>
public static class DatabaseConnections
{
    /// <summary>Statements kept prepared per connection: every hot path's statements fit, least recently used go first.</summary>
    public const int MaxAutoPrepare = 100;

    /// <summary>
    /// Applies <paramref name="connectionString"/>, then <see cref="MaxAutoPrepare"/> and <c>No Reset On Close=true</c>,
    /// each unless the string names its own (<c>Max Auto Prepare=0</c> turns preparation off).
    /// </summary>
    public static void Configure(NpgsqlConnectionStringBuilder builder, string connectionString)
    {
        builder.ConnectionString = connectionString;
        // A plain builder holds only the keys the string names; Npgsql's own holds every known key.
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!named.ContainsKey("Max Auto Prepare") && !named.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!named.ContainsKey("No Reset On Close") && !named.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        // An operator may name the instance in Options (-c situk.instance=api-east-1); otherwise it gets a random name,
        // so two instances on one host differ too.
        if (builder.Options?.Contains(InstanceSetting + "=", StringComparison.Ordinal) != true)
        {
            var name = "api-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
            builder.Options = ($"{builder.Options} -c {InstanceSetting}={name}").TrimStart();
        }
    }

    /// <summary>The setting that names the writing API instance in the outbox triggers' NOTIFY payload.</summary>
    public const string InstanceSetting = "situk.instance";
}
