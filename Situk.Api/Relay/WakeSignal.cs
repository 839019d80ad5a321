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

    /// <summary>The channel wait still open from the last wait, ended by its poll interval; the only waiter reads it.</summary>
    private Task<bool>? _waiting;

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

    /// <summary>
    /// Waits for a set or for <paramref name="timeout"/>, whichever comes first; true when it was set. A wait
    /// that ends at its poll interval leaves its wait on the channel to the next one instead of cancelling it:
    /// a cancelled wait throws inside the channel, and an idle relay would throw at every poll.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_waiting is null || _waiting.IsCompleted)
        {
            _waiting = _channel.Reader.WaitToReadAsync(CancellationToken.None).AsTask();
        }

        if (!_waiting.IsCompleted)
        {
            using var interval = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var first = await Task.WhenAny(_waiting, Task.Delay(timeout, timeProvider, interval.Token));
            interval.Cancel(); // the interval's timer, when the set came first
            if (first != _waiting)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        return _channel.Reader.TryRead(out _);
    }
}
