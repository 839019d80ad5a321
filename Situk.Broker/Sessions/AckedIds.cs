namespace Situk.Broker.Sessions;

/// <summary>
/// The ids one session acked last, at most <c>AckMemory</c> of them (oldest forgotten first), so a device
/// that acks the same id again makes no second receipt — unless the notification was sent to the session
/// again since (<see cref="Forget"/>): then its first receipt may have been lost, and the re-ack counts.
/// A flat array in ack order searched with a vectorised scan: for a few hundred ids that is as fast as a
/// hash set and a fraction of its memory. It grows as the session acks, so a session that never acks holds none.
/// Not thread-safe: <see cref="Session"/> locks it.
/// </summary>
internal sealed class AckedIds(int capacity)
{
    private long[] _ids = new long[Math.Min(capacity, 16)];
    private int _count;

    /// <summary>Remembers <paramref name="id"/>; false when it is already remembered (a duplicate ack).</summary>
    public bool Add(long id)
    {
        if (_ids.AsSpan(0, _count).Contains(id))
        {
            return false;
        }

        if (_count == _ids.Length)
        {
            if (_ids.Length < capacity)
            {
                Array.Resize(ref _ids, Math.Min(capacity, _ids.Length * 2));
            }
            else
            {
                // Full: forget the oldest.
                Array.Copy(_ids, 1, _ids, 0, _count - 1);
                _count--;
            }
        }

        _ids[_count++] = id;
        return true;
    }

    /// <summary>Forgets <paramref name="id"/>, if remembered: the notification is being sent to the session again.</summary>
    public void Forget(long id)
    {
        var index = _ids.AsSpan(0, _count).IndexOf(id);
        if (index >= 0)
        {
            Array.Copy(_ids, index + 1, _ids, index, _count - index - 1);
            _count--;
        }
    }
}
