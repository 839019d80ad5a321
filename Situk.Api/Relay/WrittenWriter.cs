using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// Stores the broker's <c>written</c> records in batches: a delivery_writes row per notification and
/// session, the first write kept, whether or not the device ever acks (the timeline's <c>written</c>
/// step). Records for ids that do not exist, belong to another user, or are negative are ignored.
/// While PostgreSQL is away the batch is retried and <see cref="WrittenInbox"/> fills, then drops.
/// </summary>
internal sealed partial class WrittenWriter : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly WrittenInbox _inbox;
    private readonly RelayOptions _options;
    private readonly ILogger<WrittenWriter> _logger;
    private readonly ResiliencePipeline _retry;
    private long _droppedReported;

    public WrittenWriter(NpgsqlDataSource dataSource, BrokerInbound inbound, IOptions<RelayOptions> options, TimeProvider timeProvider, ILogger<WrittenWriter> logger)
    {
        _dataSource = dataSource;
        _inbox = inbound.Written;
        _options = options.Value;
        _logger = logger;
        _retry = DatabaseRetry.Build(timeProvider, (attempt, _, reason) => LogRetry(_logger, attempt, reason));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _inbox.Batches.Reader;
        var batch = new List<ValidWritten>(_options.ReceiptBatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < _options.ReceiptBatchSize && reader.TryRead(out var items))
                {
                    foreach (var item in items)
                    {
                        if (Validate(item) is { } valid)
                        {
                            batch.Add(valid);
                        }
                    }
                }

                ReportDropped();
                if (batch.Count > 0)
                {
                    var stored = await _retry.ExecuteAsync(WriteAsync, batch, stoppingToken);
                    LogStored(_logger, batch.Count, stored);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; unwritten records are lost (acks still carry their written time).
        }
    }

    private async ValueTask<int> WriteAsync(List<ValidWritten> batch, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await OutboxStore.RecordWrittenAsync(connection, batch, ct);
    }

    /// <summary>Logs records the inbox dropped since the last report, once per batch at most.</summary>
    private void ReportDropped()
    {
        var dropped = _inbox.Dropped;
        if (dropped > _droppedReported)
        {
            LogDropped(_logger, dropped - _droppedReported, dropped);
            _droppedReported = dropped;
        }
    }

    /// <summary>The checks that need no database; null when the record is to be ignored.</summary>
    internal static ValidWritten? Validate(Written written)
    {
        if (written.NotificationId <= 0 || written.SessionId is not { Length: > 0 and <= 100 }
            || !long.TryParse(written.UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
        {
            return null;
        }

        return new ValidWritten(written.NotificationId, userId, written.SessionId, DeviceClasses.Normalize(written.DeviceClass), written.WrittenAt.UtcDateTime);
    }

    [LoggerMessage(EventId = 4610, Level = LogLevel.Debug, Message = "Written: {Count} received, {Stored} newly stored")]
    private static partial void LogStored(ILogger logger, int count, int stored);

    [LoggerMessage(EventId = 4611, Level = LogLevel.Warning, Message = "Written: write attempt {Attempt} failed, retrying: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, string? reason);

    [LoggerMessage(EventId = 4612, Level = LogLevel.Warning, Message = "Written: {Count} record(s) dropped while the queue was full ({Total} since start)")]
    private static partial void LogDropped(ILogger logger, long count, long total);
}
