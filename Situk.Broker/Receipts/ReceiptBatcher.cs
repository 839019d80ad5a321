using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Contracts;

namespace Situk.Broker.Receipts;

/// <summary>
/// Turns device acks into <c>receipts</c> frames for the API links: receive loops add receipts without
/// waiting, and one loop sends a batch when it reaches <c>ReceiptBatchSize</c> or has waited
/// <c>ReceiptFlushMilliseconds</c>. With no link connected the receipts are dropped: the API still holds
/// those notifications as pending and pushes them again, and devices drop the duplicate ids.
/// </summary>
internal sealed class ReceiptBatcher(IOptions<BrokerOptions> options, LinkRegistry links, TimeProvider time) : BackgroundService
{
    /// <summary>Receipts waiting at most; past this, acks are not reported (the API re-sends, devices dedupe).</summary>
    private const int Backlog = 100_000;

    private readonly Channel<Receipt> _pending = Channel.CreateBounded<Receipt>(
        new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private int _batchSize;

    public void Add(Receipt receipt) => _pending.Writer.TryWrite(receipt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _batchSize = options.Value.ReceiptBatchSize; // read here, not in the constructor: options are validated by now
        var flushAfter = TimeSpan.FromMilliseconds(options.Value.ReceiptFlushMilliseconds);
        var reader = _pending.Reader;
        var batch = new List<Receipt>(_batchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                using (var window = new CancellationTokenSource(flushAfter, time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(window.Token, stoppingToken))
                {
                    await FillAsync(reader, batch, linked.Token);
                }

                links.Broadcast(new ReceiptsFrame([.. batch]));
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is still pending is re-sent by the API later.
        }
    }

    private async Task FillAsync(ChannelReader<Receipt> reader, List<Receipt> batch, CancellationToken window)
    {
        try
        {
            while (batch.Count < _batchSize)
            {
                while (batch.Count < _batchSize && reader.TryRead(out var receipt))
                {
                    batch.Add(receipt);
                }

                if (batch.Count < _batchSize && !await reader.WaitToReadAsync(window))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
            // The flush window closed: send what we have.
        }
    }
}
