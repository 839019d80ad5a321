using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Situk.Api.Notifications;

namespace Situk.Api.Relay;

/// <summary>
/// Takes the pushes a request has just committed straight to this instance's broker link, instead of letting the
/// commit's NOTIFY wake a relay that would read them back from push_outbox. Their outbox rows were written held
/// (<see cref="RelayOptions.HandOffHold"/>), so no relay claims them meanwhile; the hand-off publishes each at once
/// and marks the rows it published forwarded in one statement per <see cref="RelayOptions.HandOffMarkWindow"/>.
/// What it cannot publish (link down, broker refused) it releases: the rows become due at once and the relays
/// retry them with back-off. What it never gets to (its queue full, the instance dead after the commit) the relays
/// forward once the hold has passed. Either way the outbox stays the record: a push is late at worst, never lost,
/// and a push published twice is dropped by the device (at-least-once, as the relays).
/// </summary>
internal sealed partial class PushHandOff : BackgroundService
{
    private readonly Channel<NotificationRow> _queue;
    private readonly Channel<(long OutboxId, DateTime At)> _published = Channel.CreateUnbounded<(long, DateTime)>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly NpgsqlDataSource _dataSource;
    private readonly IBrokerTransport _link;
    private readonly PullPolicy _pull;
    private readonly RelayOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PushHandOff> _logger;
    private readonly ResiliencePipeline _retry;
    private long _overflowed;

    public PushHandOff(
        NpgsqlDataSource dataSource,
        IBrokerTransport link,
        PullPolicy pull,
        IOptions<RelayOptions> options,
        TimeProvider timeProvider,
        ILogger<PushHandOff> logger)
    {
        _dataSource = dataSource;
        _link = link;
        _pull = pull;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _queue = Channel.CreateBounded<NotificationRow>(new BoundedChannelOptions(_options.HandOffCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _retry = DatabaseRetry.Build(timeProvider, (attempt, _, reason) => LogDatabaseRetry(_logger, attempt, reason));
    }

    /// <summary>How long the writer holds a push's outbox row from the relays; zero when the hand-off is off.</summary>
    public TimeSpan Hold => _options.HandOffHold;

    /// <summary>The most notifications one write hands off (a relay batch); a larger write goes through the relays.</summary>
    public int MaxRecipients => _options.BatchSize;

    /// <summary>Pushes left to the relays because the queue was full.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    /// <summary>
    /// Queues pushes whose rows have committed. Never waits: a push the queue cannot take is left to the relays,
    /// which forward it once its hold has passed.
    /// </summary>
    public void Send(IReadOnlyList<NotificationRow> pushes)
    {
        var left = 0;
        foreach (var push in pushes)
        {
            if (!_queue.Writer.TryWrite(push))
            {
                left++;
            }
        }

        if (left > 0)
        {
            Interlocked.Add(ref _overflowed, left);
            LogOverflow(_logger, left, _options.HandOffHold);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var marking = MarkLoopAsync(stoppingToken);
        try
        {
            await PublishLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is still queued is held in the outbox, and the relays forward it after the hold.
        }
        finally
        {
            _published.Writer.TryComplete();
            await marking;
        }
    }

    private async Task PublishLoopAsync(CancellationToken ct)
    {
        var reader = _queue.Reader;
        var batch = new List<NotificationRow>();
        while (await reader.WaitToReadAsync(ct))
        {
            batch.Clear();
            while (batch.Count < _options.BatchSize && reader.TryRead(out var row))
            {
                batch.Add(row);
            }

            if (_link.State != BrokerLinkState.Connected)
            {
                // Expected while the broker is away (readiness says so): no warning per request.
                LogReleasedLinkDown(_logger, batch.Count, _link.LastError ?? "broker link down");
                await ReleaseAsync(batch.Select(r => r.OutboxId).ToArray(), ct);
                continue;
            }

            // Pipelined, as the relay does: every publish is on the wire before the first answer is awaited.
            var at = _timeProvider.GetUtcNow().UtcDateTime;
            var results = await Task.WhenAll(batch.Select(row => PushRelay.TryPublishAsync(_link, _pull, row, ct)));
            var failed = new List<long>();
            foreach (var (row, error) in results)
            {
                if (error is null)
                {
                    _published.Writer.TryWrite((row.OutboxId, at));
                }
                else
                {
                    failed.Add(row.OutboxId);
                }
            }

            if (failed.Count > 0)
            {
                LogReleased(_logger, failed.Count, results.First(r => r.Error is not null).Error!);
                await ReleaseAsync([.. failed], ct);
            }
        }
    }

    private async Task ReleaseAsync(long[] outboxIds, CancellationToken ct)
    {
        await _retry.ExecuteAsync(
            async (ids, token) =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token);
                await OutboxStore.ReleaseHeldAsync(connection, ids, token);
            },
            outboxIds,
            ct);
    }

    /// <summary>Marks what was published forwarded, one statement per window, however many rows it gathered.</summary>
    private async Task MarkLoopAsync(CancellationToken ct)
    {
        var reader = _published.Reader;
        var ids = new List<long>();
        var ats = new List<DateTime>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            if (!ct.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(_options.HandOffMarkWindow, _timeProvider, ct);
                }
                catch (OperationCanceledException)
                {
                    // Shutting down: mark what was published so far, once.
                }
            }

            ids.Clear();
            ats.Clear();
            while (reader.TryRead(out var item))
            {
                ids.Add(item.OutboxId);
                ats.Add(item.At);
            }

            // The database down: retried without limit while running; at shutdown for a moment only.
            using var last = ct.IsCancellationRequested ? new CancellationTokenSource(TimeSpan.FromSeconds(2)) : null;
            try
            {
                await _retry.ExecuteAsync(
                    async (rows, token) =>
                    {
                        await using var connection = await _dataSource.OpenConnectionAsync(token);
                        await OutboxStore.MarkHandedOffAsync(connection, rows.Ids, rows.Ats, token);
                    },
                    (Ids: ids.ToArray(), Ats: ats.ToArray()),
                    last?.Token ?? ct);
                LogMarked(_logger, ids.Count);
            }
            catch (OperationCanceledException ex)
            {
                // Still pending: the relays forward them again after the hold, and the devices drop the duplicates.
                LogNotMarked(_logger, ids.Count, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Debug, Message = "Push hand-off: {Count} marked forwarded")]
    private static partial void LogMarked(ILogger logger, int count);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Warning, Message = "Push hand-off: {Count} push(es) left to the relays, which retry them with back-off: {Reason}")]
    private static partial void LogReleased(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4412, Level = LogLevel.Warning, Message = "Push hand-off: queue full, {Count} push(es) left to the relays after their hold of {Hold}")]
    private static partial void LogOverflow(ILogger logger, int count, TimeSpan hold);

    [LoggerMessage(EventId = 4413, Level = LogLevel.Warning, Message = "Push hand-off: stopping, {Count} published row(s) not marked; the relays forward them again after their hold: {Reason}")]
    private static partial void LogNotMarked(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4415, Level = LogLevel.Information, Message = "Push hand-off: broker link down, {Count} push(es) left to the relays: {Reason}")]
    private static partial void LogReleasedLinkDown(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4414, Level = LogLevel.Information, Message = "Push hand-off: database unavailable (attempt {Attempt}), retrying: {Reason}")]
    private static partial void LogDatabaseRetry(ILogger logger, int attempt, string? reason);
}
