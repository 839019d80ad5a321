using System.Threading.Channels;

namespace Situk.Api.Relay;

/// <summary>
/// "There may be work": set by NOTIFY, by a reconnect, or by a relay that filled a whole batch.
/// Many sets before one wait count once. A wait also ends after the fallback poll interval.
/// </summary>
internal sealed class WakeSignal(TimeProvider timeProvider)
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private int _delayedSetPending;

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>
    /// Sets the signal after <paramref name="delay"/> (at once when it is zero). While one such set is
    /// pending, more calls add nothing: however many arrive, the waiter is woken once per delay.
    /// </summary>
    public void SetAfter(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Set();
            return;
        }

        if (Interlocked.Exchange(ref _delayedSetPending, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(delay, timeProvider).ContinueWith(
            _ =>
            {
                Volatile.Write(ref _delayedSetPending, 0);
                Set();
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for a set or for <paramref name="timeout"/>, whichever comes first; true when it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _channel.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The poll interval elapsed: look for due rows anyway.
        }

        return _channel.Reader.TryRead(out _);
    }
}
