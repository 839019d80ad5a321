using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// Stores device acks from the broker in batches: a delivery_receipts row per session (once, with when
/// the broker wrote the frame to that session's socket when it says), and the
/// notification's delivered_at / delivered_device_class from its first ack only. Acks for ids that do
/// not exist, belong to another user, or are negative (the broker's ephemeral publishes) are ignored.
/// </summary>
internal sealed partial class ReceiptWriter : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly BrokerInbound _inbound;
    private readonly RelayOptions _options;
    private readonly ILogger<ReceiptWriter> _logger;
    private readonly ResiliencePipeline _retry;

    public ReceiptWriter(NpgsqlDataSource dataSource, BrokerInbound inbound, IOptions<RelayOptions> options, TimeProvider timeProvider, ILogger<ReceiptWriter> logger)
    {
        _dataSource = dataSource;
        _inbound = inbound;
        _options = options.Value;
        _logger = logger;
        // PostgreSQL down: keep the batch and retry; no credit comes back meanwhile, which slows the broker's receipts.
        _retry = DatabaseRetry.Build(timeProvider, (attempt, _, reason) => LogRetry(_logger, attempt, reason));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _inbound.Receipts.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<ValidReceipt>();
                var taken = 0;
                List<TaskCompletionSource>? answers = null;
                while (batch.Count < _options.ReceiptBatchSize && reader.TryRead(out var items))
                {
                    if (items.Stored is { } stored)
                    {
                        (answers ??= []).Add(stored);
                    }
                    else
                    {
                        taken += items.Items.Length;
                    }

                    batch.AddRange(items.Items.Select(Validate).OfType<ValidReceipt>());
                }

                if (batch.Count > 0)
                {
                    var delivered = await _retry.ExecuteAsync(WriteAsync, batch, stoppingToken);
                    LogStored(_logger, batch.Count, delivered);
                }

                // Only now may the broker send as many again: a lagging database holds receipts in the broker.
                if (taken > 0)
                {
                    _inbound.ReceiptCredit.Stored(taken);
                }

                // A broker on NATS keeps each batch until it hears it was stored.
                foreach (var answer in answers ?? [])
                {
                    answer.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; unwritten acks come back as re-sends and new acks.
        }
    }

    private async ValueTask<int> WriteAsync(List<ValidReceipt> batch, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await OutboxStore.RecordReceiptsAsync(connection, batch, ct);
    }

    /// <summary>The checks that need no database; null when the receipt is to be ignored.</summary>
    internal static ValidReceipt? Validate(Receipt? receipt)
    {
        if (receipt is null || receipt.NotificationId <= 0 || receipt.SessionId is not { Length: > 0 and <= 100 }
            || !long.TryParse(receipt.UserId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var userId))
        {
            return null;
        }

        return new ValidReceipt(
            receipt.NotificationId,
            userId,
            receipt.SessionId,
            DeviceClasses.Normalize(receipt.DeviceClass),
            receipt.AckedAt.UtcDateTime,
            receipt.WrittenAt?.UtcDateTime);
    }

    [LoggerMessage(EventId = 4600, Level = LogLevel.Debug, Message = "Receipts: {Count} stored, {Delivered} notification(s) newly delivered")]
    private static partial void LogStored(ILogger logger, int count, int delivered);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Warning, Message = "Receipts: write attempt {Attempt} failed, retrying: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, string? reason);
}
