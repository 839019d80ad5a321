using System.Data.Common;
using Npgsql;

namespace Situk.Api.Database;

/// <summary>
/// How the API's connections to PostgreSQL are set up beyond what <c>ConnectionStrings:Situk</c> says.
/// Npgsql parses and PostgreSQL plans every statement afresh unless it is prepared; the notification writer's
/// statement alone took about 0.6 ms of planning per notification (pg_stat_statements, the bench's
/// <c>knee --statements</c>). Automatic preparation keeps the hot statements prepared on each pooled
/// connection, across its returns to the pool, after their fifth use.
/// </summary>
public static class DatabaseConnections
{
    /// <summary>Statements kept prepared per connection: every hot path's statements fit, least recently used go first.</summary>
    public const int MaxAutoPrepare = 100;

    /// <summary>Applies <paramref name="connectionString"/>, then <see cref="MaxAutoPrepare"/> unless the string names its own (0 turns it off).</summary>
    public static void Configure(NpgsqlConnectionStringBuilder builder, string connectionString)
    {
        builder.ConnectionString = connectionString;
        // A plain builder holds only the keys the string names; Npgsql's own holds every known key.
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!named.ContainsKey("Max Auto Prepare") && !named.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }
    }
}
