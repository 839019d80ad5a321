using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Internal;

/// <summary>
/// One API instance's internal socket, broker side: its outbound <see cref="FrameWriter"/> and the
/// resync handshake. Until <see cref="Sync"/> has queued the <c>online</c> frame, presence changes are
/// held back and queued right after it, so the API never sees a presence change older than its snapshot.
/// </summary>
internal sealed class InternalLink(string id, string? remoteAddress, FrameWriter writer)
{
    private readonly Lock _gate = new();
    private List<ReadOnlyMemory<byte>>? _heldBack = [];

    public string Id { get; } = id;

    public string? RemoteAddress { get; } = remoteAddress;

    public FrameWriter Writer { get; } = writer;

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

    /// <summary>Queues a frame; a link whose queue is full is closed with 1013 (the API reconnects and resyncs).</summary>
    public void Send(ReadOnlyMemory<byte> frame)
    {
        if (!Writer.TryWrite(frame) && !Writer.IsClosing)
        {
            Writer.RequestClose(CloseCodes.TryAgainLater, "too slow: link queue full");
        }
    }
}
