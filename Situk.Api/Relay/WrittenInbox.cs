using System.Threading.Channels;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// The broker's <c>written</c> batches, handed from the link's reader loop to <see cref="WrittenWriter"/>.
/// Never waits: written records are evidence for the timeline, not delivery state, so while PostgreSQL is
/// too slow or away and <see cref="Capacity"/> batches are waiting, a new batch is dropped and counted
/// (the notifications themselves stay pending or delivered exactly as before).
/// </summary>
internal sealed class WrittenInbox
{
    /// <summary>Batches waiting at most (a broker batch holds up to its ReceiptBatchSize, 256 by default).</summary>
    public const int Capacity = 256;

    private long _dropped;

    // Wait mode, written only with TryWrite: a full channel refuses the batch, so it can be counted.
    public Channel<Written[]> Batches { get; } = Channel.CreateBounded<Written[]>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Written records dropped since start because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a batch; false (and counted) when the queue is full.</summary>
    public bool Offer(Written[] items)
    {
        if (Batches.Writer.TryWrite(items))
        {
            return true;
        }

        Interlocked.Add(ref _dropped, items.Length);
        return false;
    }
}
