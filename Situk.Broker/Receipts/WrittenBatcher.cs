using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Contracts;

namespace Situk.Broker.Receipts;

/// <summary>
/// Turns every write of a notification frame to a device socket into <c>written</c> frames for the API
/// links, whether or not the device acks: the socket writers add a record without waiting, and one loop
/// sends a batch when it reaches <c>ReceiptBatchSize</c> or has waited <c>ReceiptFlushMilliseconds</c>
/// (the same bounds as receipts). Written records are evidence for the timeline, not delivery state:
/// past <see cref="Backlog"/> waiting records, or with no link connected, they are dropped and counted
/// (<c>situk_broker_written_dropped</c>) rather than held without bound.
/// </summary>
internal sealed class WrittenBatcher : BackgroundService
{
    /// <summary>Records waiting at most (a struct each, about 50 bytes: 5 MB); past this, writes go unreported.</summary>
    public const int Backlog = 100_000;

    // Wait mode, written only with TryWrite: a full channel refuses the record (and it is counted),
    // where DropWrite would drop it silently.
    private readonly Channel<Written> _pending = Channel.CreateBounded<Written>(
        new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly IOptions<BrokerOptions> _options;
    private readonly Fanout.IApiUplink _links;
    private readonly TimeProvider _time;
    private readonly Counter<long> _dropped;
    private long _droppedTotal;

    public WrittenBatcher(IOptions<BrokerOptions> options, Fanout.IApiUplink links, TimeProvider time, IMeterFactory meters)
    {
        _options = options;
        _links = links;
        _time = time;

        // The meter factory hands back the broker's own meter, so the counter is exported with the others.
        _dropped = meters.Create(Telemetry.BrokerMetrics.MeterName).CreateCounter<long>(
            "written_dropped", description: "Written records not reported to the API: backlog full or no API link connected.");
    }

    /// <summary>Written records dropped since start.</summary>
    public long Dropped => Interlocked.Read(ref _droppedTotal);

    /// <summary>What a session's <c>DeliveryTimes</c> calls after each notification frame is written to its socket.</summary>
    public Action<long, DateTimeOffset> For(string sessionId, string userId, string deviceClass) =>
        (notificationId, writtenAt) => Add(new Written(notificationId, userId, sessionId, deviceClass, writtenAt));

    public void Add(Written written)
    {
        if (!_pending.Writer.TryWrite(written))
        {
            CountDropped(1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = _options.Value.ReceiptBatchSize; // read here, not in the constructor: options are validated by now
        var flushAfter = TimeSpan.FromMilliseconds(_options.Value.ReceiptFlushMilliseconds);
        var reader = _pending.Reader;
        var batch = new List<Written>(batchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await BatchWindow.FillAsync(reader, batch, batchSize, static written => written, flushAfter, _time, stoppingToken);

                if (!_links.TrySendWritten(new WrittenFrame([.. batch])))
                {
                    CountDropped(batch.Count);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still pending goes unreported; acks still carry their written time.
        }
    }

    private void CountDropped(int count)
    {
        Interlocked.Add(ref _droppedTotal, count);
        _dropped.Add(count);
    }
}
