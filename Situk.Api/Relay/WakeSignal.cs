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

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a set or for <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
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

        _channel.Reader.TryRead(out _);
    }
}
