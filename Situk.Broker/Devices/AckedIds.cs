namespace Situk.Broker.Devices;

/// <summary>
/// The ids one session acked last, at most <c>AckMemory</c> of them (oldest forgotten first), so a device
/// that acks the same id again makes no second receipt. A flat ring searched with a vectorised scan: for a
/// few hundred ids that is as fast as a hash set and a fraction of its memory. It grows as the session
/// acks, so a session that never acks holds none.
/// </summary>
internal sealed class AckedIds(int capacity)
{
    private long[] _ids = new long[Math.Min(capacity, 16)];
    private int _count;
    private int _next;

    /// <summary>Remembers <paramref name="id"/>; false when it is already remembered (a duplicate ack).</summary>
    public bool Add(long id)
    {
        if (_ids.AsSpan(0, _count).Contains(id))
        {
            return false;
        }

        if (_count < _ids.Length)
        {
            _ids[_count++] = id;
            return true;
        }

        if (_ids.Length < capacity)
        {
            Array.Resize(ref _ids, Math.Min(capacity, _ids.Length * 2));
            _ids[_count++] = id;
            return true;
        }

        // Full: overwrite the oldest.
        _ids[_next] = id;
        _next = (_next + 1) % _ids.Length;
        return true;
    }
}
