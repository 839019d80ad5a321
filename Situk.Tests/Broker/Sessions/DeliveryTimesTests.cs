using System.Net.WebSockets;
using Situk.Broker.Auth;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Tests.Broker.Sessions;

[Description("Per-session delivery times: a notification is timed once, and a shed re-send does not forget the copy still queued.")]
public sealed class DeliveryTimesTests
{
    [Test]
    public void A_notification_is_timed_once_per_session()
    {
        var times = new DeliveryTimes(TimeProvider.System);
        Assert.Multiple(() =>
        {
            Assert.That(times.Queued(7, 100), Is.True);
            Assert.That(times.Queued(7, 200), Is.False, "the second copy keeps the first one's timing");
            Assert.That(times.Acked(7)?.QueuedAt, Is.EqualTo(100));
            Assert.That(times.Acked(7), Is.Null, "forgotten once acked");
        });
    }

    [Test]
    public void A_shed_re_send_leaves_the_queued_copy_timed()
    {
        // A writer that is never run: its queue of one fills with the first copy.
        var times = new DeliveryTimes(TimeProvider.System);
        var socket = WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true });
        using var writer = new FrameWriter(socket, 1, TimeProvider.System, TimeSpan.FromSeconds(5), onNotificationWritten: times.Written);
        var session = new Session("s1", new DeviceIdentity("u1", Roles.Asesi, DateTimeOffset.MaxValue),
            DeviceClasses.Web, "127.0.0.1", DateTimeOffset.UtcNow, writer, times);
        byte[] frame = [(byte)'{', (byte)'}'];

        Assert.Multiple(() =>
        {
            Assert.That(session.Deliver(frame, 7, 100, Priority.Normal), Is.EqualTo(Delivery.Queued));
            Assert.That(session.Deliver(frame, 7, 200, Priority.Normal), Is.EqualTo(Delivery.Shed));
            Assert.That(session.Acked(7)?.QueuedAt, Is.EqualTo(100), "the queued copy is still timed");
        });
    }
}
