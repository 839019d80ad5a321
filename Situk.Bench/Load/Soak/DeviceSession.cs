namespace Situk.Bench.Load.Soak;

/// <summary>
/// One connection of one device, from its welcome to its end: which broadcasts it owes (those published
/// after the welcome arrived, up to its leave) and which it got. The broker writes one session's
/// frames in order, so a missing broadcast shows as a gap before the next one that arrives.
/// </summary>
internal sealed class DeviceSession(SoakBook book)
{
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _first = -1;
    private int _last = -1;
    private int _highest = -1;
    private long _lost;
    private long _received;
    private bool _settled;

    /// <summary>The welcome arrived: from now on every broadcast published is owed.</summary>
    public void Welcomed() => Volatile.Write(ref _first, book.Published);

    public bool IsWelcomed => Volatile.Read(ref _first) >= 0;

    /// <summary>Broadcast <paramref name="index"/> arrived (called by the receive loop only, in order).</summary>
    public void Received(int index, long receivedAt)
    {
        if (index <= _highest)
        {
            book.Duplicate();
            return;
        }

        var first = Volatile.Read(ref _first);
        if (first >= 0 && index >= first)
        {
            // Owed ones skipped over on the way here never arrive on this session.
            var last = Volatile.Read(ref _last);
            var skippedTo = last >= 0 ? Math.Min(index - 1, last) : index - 1;
            Interlocked.Add(ref _lost, Math.Max(0, skippedTo - Math.Max(_highest + 1, first) + 1));
            Interlocked.Increment(ref _received);
            book.Delivered(index, receivedAt);
        }

        Volatile.Write(ref _highest, index);
        if (Volatile.Read(ref _last) is var until and >= 0 && index >= until)
        {
            _caughtUp.TrySetResult();
        }
    }

    /// <summary>
    /// Stops owing: everything published so far must arrive within <paramref name="deadline"/>.
    /// Returns once it has (or the deadline passed, or the socket ended) and books the session.
    /// </summary>
    public async Task LeaveAsync(TimeSpan deadline, Task ended)
    {
        var first = Volatile.Read(ref _first);
        if (first < 0)
        {
            Settle(0, 0);
            return;
        }

        var last = book.Published - 1;
        Volatile.Write(ref _last, last);
        if (last < first || Volatile.Read(ref _highest) >= last)
        {
            _caughtUp.TrySetResult();
        }

        await Task.WhenAny(_caughtUp.Task, ended, Task.Delay(deadline));
        var owed = Math.Max(0, last - first + 1);
        var highest = Math.Min(Volatile.Read(ref _highest), last);
        var missingAtEnd = last - Math.Max(highest, first - 1);
        Settle(owed, Interlocked.Read(ref _lost) + Math.Max(0, missingAtEnd));
    }

    private void Settle(long owed, long lost)
    {
        if (!_settled)
        {
            _settled = true;
            book.Settled(owed, lost);
        }
    }
}
