using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Hosting;
using Situk.Api.Relay;

namespace Situk.Api.Idempotency;

/// <summary>
/// Deletes idempotency keys older than <see cref="IdempotencyOptions.Retention"/> for every user, every
/// <see cref="IdempotencyOptions.SweepInterval"/> on the <see cref="TimeProvider"/>'s clock, so the table
/// stays bounded by the keys of one retention period even for users who never send another request.
/// Several API instances may sweep at once: a row deleted twice is simply not found the second time.
/// </summary>
public sealed partial class IdempotencySweeper(
    NpgsqlDataSource dataSource, IOptions<IdempotencyOptions> options, TimeProvider time, ILogger<IdempotencySweeper> logger) : PeriodicSweeper(time)
{
    // Rows per DELETE, so one sweep after a long pause never holds a huge lock set or transaction.
    private const int BatchSize = 5_000;

    private const string DeleteSql = """
        DELETE FROM idempotency_keys k
        USING (SELECT user_id, route, key FROM idempotency_keys WHERE created_at < @cutoff ORDER BY created_at LIMIT @limit) old
        WHERE k.user_id = old.user_id AND k.route = old.route AND k.key = old.key
        """;

    /// <summary>One sweep: deletes every key created before now minus the retention; returns how many.</summary>
    public override async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var cutoff = Time.GetUtcNow() - options.Value.Retention;
        var deleted = 0;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        int batch;
        do
        {
            batch = await c.ExecuteAsync(new CommandDefinition(DeleteSql, new { cutoff, limit = BatchSize }, cancellationToken: ct));
            deleted += batch;
        }
        while (batch == BatchSize);

        if (deleted > 0)
        {
            LogSwept(logger, deleted);
        }

        return deleted;
    }

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override void SweepFailed(string error) => LogSweepFailed(logger, error);
}
