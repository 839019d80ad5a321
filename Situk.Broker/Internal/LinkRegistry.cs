using System.Text.Json;
using Situk.Contracts;

namespace Situk.Broker.Internal;

/// <summary>
/// Every connected API link, as a copy-on-write array (links come and go rarely; they are read on every
/// presence change and receipt batch). Frames are serialised once and queued to each link; queuing never
/// waits, so a slow API never holds up devices. Receipts alone wait, for receipt credit (<see cref="SendReceiptsAsync"/>).
/// </summary>
internal sealed class LinkRegistry : Fanout.IApiUplink
{
    private readonly Lock _gate = new();
    private InternalLink[] _links = [];

    /// <summary>Completed (and replaced) when a link is added or removed or grants receipt credit.</summary>
    private TaskCompletionSource _changed = NewSignal();

    public int Count => All.Length;

    public InternalLink[] All => Volatile.Read(ref _links);

    public void Add(InternalLink link)
    {
        lock (_gate)
        {
            Volatile.Write(ref _links, [.. _links, link]);
        }

        Changed();
    }

    public bool Remove(InternalLink link)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_links, link);
            if (index < 0)
            {
                return false;
            }

            Volatile.Write(ref _links, [.. _links[..index], .. _links[(index + 1)..]]);
        }

        Changed();
        return true;
    }

    /// <summary>A link granted receipt credit: a batch waiting for one may go now.</summary>
    public void CreditGranted() => Changed();

    /// <summary>
    /// Queues a batch of <paramref name="count"/> receipts to every link with receipt credit, waiting while
    /// links are connected but none has credit (the API is storing what it already has). A link without
    /// credit when others have it skips the batch: API instances share one database, so one storing it is
    /// enough. With no link connected the batch is dropped (the API pushes those notifications again).
    /// </summary>
    public async ValueTask SendReceiptsAsync(ReceiptsFrame frame, int count, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> bytes = default;
        while (true)
        {
            // Taken before the links are looked at, so credit granted in between still wakes this wait.
            var changed = Volatile.Read(ref _changed).Task;
            var links = All;
            if (links.Length == 0)
            {
                return;
            }

            var sent = false;
            foreach (var link in links)
            {
                if (link.TryTakeReceiptCredit(count))
                {
                    bytes = bytes.IsEmpty ? Serialize(frame) : bytes;
                    link.Send(bytes);
                    sent = true;
                }
            }

            if (sent)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Announces a presence change (held back on links still syncing).</summary>
    public void Presence(PresenceFrame frame)
    {
        var links = All;
        if (links.Length == 0)
        {
            return;
        }

        var bytes = Serialize(frame);
        foreach (var link in links)
        {
            link.SendPresence(bytes);
        }
    }

    /// <summary>Written records go to every link; with none connected they are dropped (and counted by the caller).</summary>
    public bool TrySendWritten(WrittenFrame frame)
    {
        if (Count == 0)
        {
            return false;
        }

        Broadcast(frame);
        return true;
    }

    /// <summary>A device read goes to every link (each API stores it; the first read wins).</summary>
    public void DeviceRead(DeviceReadFrame frame) => Broadcast(frame);

    /// <summary>Queues <paramref name="frame"/> to every link.</summary>
    public void Broadcast(InternalFrame frame)
    {
        var links = All;
        if (links.Length == 0)
        {
            return;
        }

        var bytes = Serialize(frame);
        foreach (var link in links)
        {
            link.Send(bytes);
        }
    }

    private void Changed() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static byte[] Serialize(InternalFrame frame) =>
        JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.InternalFrame);
}
