namespace Situk.Api.Relay;

/// <summary>
/// The API's side of receipt flow control on the internal link. Receipts held here (arrived, not yet
/// stored) plus credit granted to the broker and not yet used never pass the window: a new link is granted
/// the window minus what is still held from the last one, and each stored receipt is granted again.
/// </summary>
internal sealed class ReceiptCredit(int window, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private int _held;
    private int _owed;

    /// <summary>Set when stored receipts left credit to give back.</summary>
    public WakeSignal Returned { get; } = new(timeProvider);

    /// <summary>Receipts arrived and not yet stored.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    /// <summary>A link opened: the credit to grant it. Credit owed to the previous link is void.</summary>
    public int Open()
    {
        lock (_gate)
        {
            _owed = 0;
            return Math.Max(0, window - _held);
        }
    }

    /// <summary>The reader handed <paramref name="count"/> receipts to the writer.</summary>
    public void Arrived(int count)
    {
        lock (_gate)
        {
            _held += count;
        }
    }

    /// <summary>The writer is done with <paramref name="count"/> receipts (stored or ignored): the broker may send as many again.</summary>
    public void Stored(int count)
    {
        lock (_gate)
        {
            _held -= count;
            _owed += count;
        }

        Returned.Set();
    }

    /// <summary>The credit to give back now (zero when there is none), no longer owed.</summary>
    public int TakeOwed()
    {
        lock (_gate)
        {
            var owed = _owed;
            _owed = 0;
            return owed;
        }
    }
}
