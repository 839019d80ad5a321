using System.Threading.Channels;

namespace Situk.Broker.Receipts;

/// <summary>
/// How the receipt and written batchers fill a batch: take what is queued until the batch holds
/// <c>batchSize</c> items or <c>flushAfter</c> has passed since the first one was seen, whichever comes
/// first. Stopping ends the wait too; the caller sends what was taken and then sees the stop.
/// </summary>
internal static class BatchWindow
{
    /// <summary>Adds to <paramref name="batch"/> what <paramref name="take"/> makes of each queued item.</summary>
    public static async Task FillAsync<TQueued, TItem>(
        ChannelReader<TQueued> reader,
        List<TItem> batch,
        int batchSize,
        Func<TQueued, TItem> take,
        TimeSpan flushAfter,
        TimeProvider time,
        CancellationToken stoppingToken)
    {
        using var window = new CancellationTokenSource(flushAfter, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(window.Token, stoppingToken);
        try
        {
            while (batch.Count < batchSize)
            {
                while (batch.Count < batchSize && reader.TryRead(out var queued))
                {
                    batch.Add(take(queued));
                }

                if (batch.Count < batchSize && !await reader.WaitToReadAsync(linked.Token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The flush window closed (or the broker is stopping): send what we have.
        }
    }
}
