namespace Situk.Broker.Devices;

/// <summary>
/// One session's token bucket for inbound frames: <c>InboundFrameBurst</c> tokens to start with, refilled
/// at <c>InboundFramesPerSecond</c>, one taken per ack or read frame. Only the session's receive loop
/// uses it, so it needs no lock. The loop makes it at the session's first frame (a full bucket, as it would have
/// been by then), so a device that never sends carries none.
/// </summary>
internal sealed class InboundBudget(int perSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Takes one token; false when the bucket is empty (the session sends faster than any real client).</summary>
    public bool TryTake()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
        _refilledAt = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
