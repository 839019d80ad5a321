using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;

namespace Situk.Api.Relay;

/// <summary>
/// Carries push_outbox rows to the broker. Woken by <c>LISTEN situk_push_outbox</c> (and by the link
/// coming up), with a fallback poll. A batch is claimed with FOR UPDATE SKIP LOCKED, published over the
/// link all at once (pipelined), and marked forwarded in the same transaction once the broker answered,
/// so relays on several API instances share the work and each row is forwarded once. A crash between
/// publish and commit publishes again (at-least-once; devices drop duplicate ids).
/// </summary>
internal sealed partial class PushRelay(
    NpgsqlDataSource dataSource,
    OutboxListener listener,
    IBrokerTransport link,
    PullPolicy pull,
    IOptions<RelayOptions> options,
    TimeProvider timeProvider,
    ILogger<PushRelay> logger) : BackgroundService
{
    public const string Channel = "situk_push_outbox";

    private readonly WakeSignal _signal = new(timeProvider);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.PollInterval;
        var listening = listener.RunAsync(Channel, _signal, poll, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // While the link is down the outbox simply grows; nothing is claimed, no attempt is spent.
                await link.WaitUntilConnectedAsync(stoppingToken);
                bool full;
                try
                {
                    full = await ForwardBatchAsync(stoppingToken);
                }
                catch (Exception ex) when (Transient.IsDatabase(ex))
                {
                    LogDatabaseFault(logger, ex.Message);
                    full = false;
                }

                if (!full)
                {
                    await _signal.WaitAsync(poll, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; whatever was claimed and not committed stays pending.
        }
        finally
        {
            await listening;
        }
    }

    /// <summary>Forwards one batch; true when it was full (more may be waiting).</summary>
    private async Task<bool> ForwardBatchAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = await OutboxStore.ClaimPushAsync(tx, settings.BatchSize, ct);
        if (rows.Count == 0)
        {
            await tx.CommitAsync(ct);
            return false;
        }

        var results = await Task.WhenAll(rows.Select(row => TryPublishAsync(link, pull, row, ct)));
        var forwarded = results.Where(r => r.Error is null).Select(r => r.Row.OutboxId).ToArray();
        var failed = results
            .Where(r => r.Error is not null)
            .Select(r => (r.Row.OutboxId, r.Error!, Backoff.ForAttempt(r.Row.Attempts + 1, settings.RetryBaseDelay, settings.RetryMaxDelay)))
            .ToList();

        await OutboxStore.MarkForwardedAsync(tx, forwarded, rows.Max(r => r.ClaimedAt), ct);
        await OutboxStore.MarkPushRetryAsync(tx, failed, ct);
        await tx.CommitAsync(ct);

        LogBatchForwarded(logger, forwarded.Length, failed.Count);
        if (failed.Count > 0)
        {
            LogWillRetry(logger, failed.Count, failed[0].Item2);
        }

        return rows.Count == settings.BatchSize && failed.Count == 0;
    }

    /// <summary>
    /// Publishes one row to its user, as the relays and the hand-off do: a pulled kind as its neutral notice. Any failure
    /// but the caller's own shutdown comes back as the row's error, for a retry: the loop must outlive any one publish.
    /// </summary>
    internal static async Task<(NotificationRow Row, string? Error)> TryPublishAsync(
        IBrokerTransport link, PullPolicy pull, NotificationRow row, CancellationToken ct)
    {
        try
        {
            await link.PublishAsync(Contracts.Audience.Users(row.UserIdText), pull.ForPush(row.ToPush(), row.Language), ct);
            return (row, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (row, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Debug, Message = "Push relay: {Forwarded} forwarded, {Failed} to retry")]
    private static partial void LogBatchForwarded(ILogger logger, int forwarded, int failed);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Push relay: {Count} row(s) put back with back-off: {Reason}")]
    private static partial void LogWillRetry(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Push relay: database unavailable, will retry: {Reason}")]
    private static partial void LogDatabaseFault(ILogger logger, string reason);
}
