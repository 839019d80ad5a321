namespace Situk.Broker.Limits;

/// <summary>
/// One count of every socket the broker has accepted, on both listeners: device sessions on the direct
/// path, sockets whose first request is still being looked at, connections handed to Kestrel, internal
/// links and management requests. Kestrel's connection caps count only Kestrel's own connections; this
/// count is what keeps <c>accept()</c> from ever failing for want of a descriptor.
/// <para>
/// <see cref="Capacity"/> is the open-file limit less the descriptors already open when the broker
/// starts (assemblies, logs, the listeners) and <see cref="LaterFiles"/> for what opens later. Of it,
/// <see cref="InternalRoom"/> is kept for the internal listener (the API's links, management) and
/// <see cref="RefusalRoom"/> for device-listener sockets that are only answered 503 and closed.
/// </para>
/// </summary>
internal sealed class SocketBudget
{
    /// <summary>Descriptors kept for files opened after start: assemblies loaded later, log and temp files.</summary>
    public const int LaterFiles = 128;

    /// <summary>Sockets only the internal listener may use, however many devices are connected.</summary>
    public const int InternalRoom = 32;

    /// <summary>Device-listener sockets past the rest of the budget, each answered 503 and closed within a quarter of a second.</summary>
    public const int RefusalRoom = 64;

    private int _open;

    public SocketBudget(int openFileLimit, int openAtStart)
    {
        OpenFileLimit = openFileLimit;
        Capacity = (int)Math.Clamp((long)openFileLimit - openAtStart - LaterFiles, InternalRoom + RefusalRoom + 1, int.MaxValue);
    }

    public int OpenFileLimit { get; }

    /// <summary>Accepted sockets at once, at most, on both listeners.</summary>
    public int Capacity { get; }

    /// <summary>Accepted sockets now open.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Sockets the device listener may hold to serve (sessions, undecided, handed to Kestrel).</summary>
    public int DeviceCapacity => Capacity - InternalRoom - RefusalRoom;

    /// <summary>True while the device listener may accept one more socket, if only to refuse it.</summary>
    public bool DeviceListenerHasRoom => Open < Capacity - InternalRoom;

    /// <summary>The budget of this process: its open-file limit less what it has open now.</summary>
    public static SocketBudget ForThisProcess() => new(Limits.OpenFileLimit.Read(), Limits.OpenFileLimit.OpenNow());

    /// <summary>Counts a device-listener socket to serve; false means none is left (refuse it, see <see cref="TryTakeRefusal"/>).</summary>
    public bool TryTakeDevice() => TryTake(DeviceCapacity);

    /// <summary>Counts a device-listener socket that is only to be answered 503.</summary>
    public bool TryTakeRefusal() => TryTake(Capacity - InternalRoom);

    /// <summary>Counts an internal-listener socket: it may use the whole budget.</summary>
    public bool TryTakeInternal() => TryTake(Capacity);

    /// <summary>One counted socket is closed.</summary>
    public void Release() => Interlocked.Decrement(ref _open);

    private bool TryTake(int limit)
    {
        var open = Volatile.Read(ref _open);
        while (open < limit)
        {
            var seen = Interlocked.CompareExchange(ref _open, open + 1, open);
            if (seen == open)
            {
                return true;
            }

            open = seen;
        }

        return false;
    }
}
