using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Internal;

/// <summary>
/// One API instance's internal socket, broker side: its outbound <see cref="FrameWriter"/> and the
/// resync handshake. Until <see cref="Sync"/> has queued the <c>online</c> frame, presence changes are
/// held back and queued right after it, so the API never sees a presence change older than its snapshot.
/// Receipts are sent only against credit the API grants (<c>receipt-credit</c> frames): a link starts with
/// none, and each batch sent takes its size from it, so an API whose database lags stops receiving receipts
/// (they wait in the broker, and the acking devices wait) while its <c>published</c> answers still flow.
/// </summary>
internal sealed class InternalLink(string id, string? remoteAddress, FrameWriter writer)
{
    private readonly Lock _gate = new();
    private List<ReadOnlyMemory<byte>>? _heldBack = [];
    private long _receiptCredit;

    public string Id { get; } = id;

    public string? RemoteAddress { get; } = remoteAddress;

    public FrameWriter Writer { get; } = writer;

    /// <summary>Receipts the API can still take; at most one batch below zero.</summary>
    public long ReceiptCredit => Interlocked.Read(ref _receiptCredit);

    /// <summary>The API can take <paramref name="receipts"/> more receipts (a positive count).</summary>
    public void GrantReceipts(int receipts) => Interlocked.Add(ref _receiptCredit, receipts);

    /// <summary>Takes credit for a batch of <paramref name="count"/> receipts; false while the link has none left.</summary>
    public bool TryTakeReceiptCredit(int count)
    {
        while (true)
        {
            var credit = Interlocked.Read(ref _receiptCredit);
            if (credit <= 0 || Writer.IsClosing)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _receiptCredit, credit - count, credit) == credit)
            {
                return true;
            }
        }
    }

    /// <summary>Queues the <c>online</c> snapshot, then whatever presence arrived while it was being taken.</summary>
    public void Sync(ReadOnlyMemory<byte> onlineUsers)
    {
        lock (_gate)
        {
            Send(onlineUsers);
            foreach (var frame in _heldBack ?? [])
            {
                Send(frame);
            }

            _heldBack = null;
        }
    }

    public void SendPresence(ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (_heldBack is not null)
            {
                _heldBack.Add(frame);
                return;
            }
        }

        Send(frame);
    }

    /// <summary>Queues a frame; a link whose queue is full (in frames or bytes) is closed with 1013 (the API reconnects and resyncs).</summary>
    public void Send(ReadOnlyMemory<byte> frame)
    {
        if (!Writer.TryWrite(frame) && !Writer.IsClosing)
        {
            Writer.RequestClose(CloseCodes.TryAgainLater, "too slow: link queue full");
        }
    }
}
