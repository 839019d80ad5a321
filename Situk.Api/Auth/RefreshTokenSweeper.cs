using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Hosting;
using Situk.Api.Relay;

namespace Situk.Api.Auth;

/// <summary>
/// Deletes refresh tokens whose expiry has passed, every <see cref="RefreshTokenOptions.SweepInterval"/> on the
/// <see cref="TimeProvider"/>'s clock, so the table holds at most one lifetime of sign-ins and refreshes.
/// An expired token is refused whether or not it is still stored; once swept it is refused as unknown.
/// Several API instances may sweep at once: a row deleted twice is simply not found the second time.
/// </summary>
public sealed class RefreshTokenSweeper(
    NpgsqlDataSource dataSource, IOptions<RefreshTokenOptions> options, TimeProvider time, ILogger<RefreshTokenSweeper> logger) : PeriodicSweeper(time)
{
    // Rows per DELETE, so one sweep after a long pause never holds a huge lock set or transaction.
    private const int BatchSize = 5_000;

    private const string DeleteSql = """
        DELETE FROM refresh_tokens t
        USING (SELECT token_hash FROM refresh_tokens WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit) old
        WHERE t.token_hash = old.token_hash
        """;

    /// <summary>One sweep: deletes every token expired by now; returns how many.</summary>
    public override async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var deleted = 0;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        int batch;
        do
        {
            batch = await c.ExecuteAsync(new CommandDefinition(DeleteSql, new { now, limit = BatchSize }, cancellationToken: ct));
            deleted += batch;
        }
        while (batch == BatchSize);

        if (deleted > 0)
        {
            AuthLog.Swept(logger, deleted);
        }

        return deleted;
    }

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override void SweepFailed(string error) => AuthLog.SweepFailed(logger, error);
}
