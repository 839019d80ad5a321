using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Contracts;

namespace Situk.Broker.Receipts;

/// <summary>
/// Turns device acks into <c>receipts</c> frames for the API links: receive loops queue receipts, and one
/// loop sends a batch when it reaches <c>ReceiptBatchSize</c> or has waited <c>ReceiptFlushMilliseconds</c>.
/// Nothing queued is dropped while a link is connected: each session holds at most its
/// <see cref="ReceiptShare"/> of the queue, the queue holds at most <c>ReceiptBacklog</c>, and a session
/// that finds either full waits (it stops reading its socket), so the device acking fastest is the one
/// slowed down. A batch goes to the links that have receipt credit and waits while none has (the API
/// grants credit as it stores receipts; see <see cref="InternalLink"/>). With no link connected the
/// receipts are dropped: the API still holds those notifications as pending and pushes them again.
/// </summary>
internal sealed class ReceiptBatcher(IOptions<BrokerOptions> options, Fanout.IApiUplink links, IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService
{
    private Channel<Queued>? _channel;

    /// <summary>
    /// Queues a receipt once its session has room in its share and the queue has room; until then the
    /// caller (the session's receive loop) waits. The wait ends with <see cref="OperationCanceledException"/>
    /// when the session's connection or the broker stops.
    /// </summary>
    public ValueTask AddAsync(Receipt receipt, ReceiptShare share, CancellationToken cancellationToken)
    {
        if (share.TryTake())
        {
            if (Pending.Writer.TryWrite(new Queued(receipt, share)))
            {
                return ValueTask.CompletedTask;
            }

            share.Release();
        }

        return WaitAndAddAsync(receipt, share, cancellationToken);
    }

    private async ValueTask WaitAndAddAsync(Receipt receipt, ReceiptShare share, CancellationToken cancellationToken)
    {
        // Only a session that must wait pays for this: a stopping broker no longer takes receipts out.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        await share.WaitAsync(linked.Token);
        try
        {
            await Pending.Writer.WriteAsync(new Queued(receipt, share), linked.Token);
        }
        catch
        {
            share.Release();
            throw;
        }
    }

    // Created on first use, not in the constructor: options are validated only once the host starts.
    private Channel<Queued> Pending => LazyInitializer.EnsureInitialized(ref _channel, () => Channel.CreateBounded<Queued>(
        new BoundedChannelOptions(options.Value.ReceiptBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.ReceiptBatchSize; // read here, not in the constructor: options are validated by now
        var flushAfter = TimeSpan.FromMilliseconds(options.Value.ReceiptFlushMilliseconds);
        var reader = Pending.Reader;
        var batch = new List<Receipt>(batchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await BatchWindow.FillAsync(reader, batch, batchSize, TakeOut, flushAfter, time, stoppingToken);

                await links.SendReceiptsAsync(new ReceiptsFrame([.. batch]), batch.Count, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is still pending is re-sent by the API later.
        }
    }

    /// <summary>A queued receipt and the share it holds a slot of until the batcher takes it.</summary>
    private readonly record struct Queued(Receipt Receipt, ReceiptShare Share);

    /// <summary>The batcher has taken the receipt out of the queue: its session may queue another.</summary>
    private static Receipt TakeOut(Queued queued)
    {
        queued.Share.Release();
        return queued.Receipt;
    }
}
