using System.Net.WebSockets;
using Situk.Broker.Internal;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Tests.Broker.Internal;

[Description("An API link's outbound queue is bounded in bytes as well as frames: a few large frames cannot hold more memory than InternalQueueBytes.")]
public sealed class LinkQueueBytesTests
{
    [Test]
    public void A_queue_refuses_a_frame_that_would_pass_its_byte_bound_and_takes_it_once_drained()
    {
        var queue = new SendQueue(capacity: 1000, maxBytes: 100);
        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(1, 60)), Is.EqualTo(Offer.Queued));
            Assert.That(queue.TryAdd(Frame(2, 40)), Is.EqualTo(Offer.Queued), "exactly at the bound");
            Assert.That(queue.TryAdd(Frame(3, 1)), Is.EqualTo(Offer.Full), "one byte past it, with 998 frames of room");
            Assert.That(queue.TryAdd(Frame(4, 1, Priority.Normal)), Is.EqualTo(Offer.Shed), "a normal frame is shed instead");
            Assert.That(queue.Bytes, Is.EqualTo(100));
        });

        Assert.That(queue.TryTake(out _, out _), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(queue.Bytes, Is.EqualTo(40), "what is taken gives its bytes back");
            Assert.That(queue.TryAdd(Frame(5, 60)), Is.EqualTo(Offer.Queued));
        });
    }

    [Test]
    [Description("A frame larger than the whole bound still goes through an empty queue (the online snapshot of a large site).")]
    public void An_empty_queue_takes_a_frame_larger_than_its_bound()
    {
        var queue = new SendQueue(capacity: 10, maxBytes: 100);
        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(1, 500)), Is.EqualTo(Offer.Queued));
            Assert.That(queue.TryAdd(Frame(2, 1)), Is.EqualTo(Offer.Full));
        });
    }

    [Test]
    [Description("A link whose API does not read: once its queue holds InternalQueueBytes, the next frame closes the link with 1013.")]
    public void A_link_past_its_byte_bound_is_closed_with_1013()
    {
        // A writer that is never run, like an API that stopped reading: nothing leaves the queue.
        var socket = WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true });
        using var writer = new FrameWriter(socket, 65_536, TimeProvider.System, TimeSpan.FromSeconds(5), maxBytes: 1 << 20);
        var link = new InternalLink("link", "127.0.0.1", writer);
        var frame = new byte[64 * 1024];

        for (var i = 0; i < 16; i++)
        {
            link.Send(frame);
        }

        Assert.Multiple(() =>
        {
            Assert.That(writer.IsClosing, Is.False, "16 frames of 64 KiB fill 1 MiB exactly");
            Assert.That(writer.DepthBytes, Is.EqualTo(1 << 20));
        });

        link.Send(frame);
        Assert.Multiple(() =>
        {
            Assert.That(writer.RequestedClose?.Code, Is.EqualTo(CloseCodes.TryAgainLater), "17 frames are far under 65,536, but over the bytes");
            Assert.That(writer.Depth, Is.EqualTo(16));
        });
    }

    private static OutboundFrame Frame(long id, int bytes, Priority priority = Priority.High) => new(new byte[bytes], id, priority);
}
