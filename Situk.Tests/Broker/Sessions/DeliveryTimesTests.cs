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
            Assert.That(times.Acked(7, DateTimeOffset.UtcNow)?.QueuedAt, Is.EqualTo(100));
            Assert.That(times.Acked(7, DateTimeOffset.UtcNow), Is.Null, "acked once");
        });
    }

    [Test]
    [Description("An ack read before the writer reports the write (its continuation ran late): the write is stamped no later than the ack, and the receipt carries the ack time as written.")]
    public void An_ack_that_beats_the_writers_report_bounds_the_written_time()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var reported = new List<DateTimeOffset>();
        var times = new DeliveryTimes(time, (_, at) => reported.Add(at));
        times.Queued(7, 100);
        var ackedAt = time.GetUtcNow();

        var acked = times.Acked(7, ackedAt);
        time.Advance(TimeSpan.FromMilliseconds(3));
        times.Written(7);

        Assert.Multiple(() =>
        {
            Assert.That(acked?.WrittenAt, Is.EqualTo(ackedAt));
            Assert.That(reported, Is.EqualTo(new[] { ackedAt }));
            Assert.That(times.Acked(7, time.GetUtcNow()), Is.Null, "forgotten once written and acked");
        });
    }

    [Test]
    public void A_written_then_acked_notification_keeps_its_write_time()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var times = new DeliveryTimes(time);
        times.Queued(7, 100);
        var writtenAt = time.GetUtcNow();
        times.Written(7);
        time.Advance(TimeSpan.FromMilliseconds(3));

        Assert.That(times.Acked(7, time.GetUtcNow())?.WrittenAt, Is.EqualTo(writtenAt));
    }

    [Test]
    public void A_shed_re_send_leaves_the_queued_copy_timed()
    {
        // A writer that is never run: its queue of one fills with the first copy.
        var times = new DeliveryTimes(TimeProvider.System);
        var socket = WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true });
        using var writer = new FrameWriter(socket, 1, TimeProvider.System, TimeSpan.FromSeconds(5), onNotificationWritten: times.Written);
        var session = new Session("s1", new DeviceIdentity("u1", Roles.Asesi, DateTimeOffset.MaxValue),
            DeviceClasses.Web, System.Net.IPAddress.Loopback, DateTimeOffset.UtcNow, writer, times);
        byte[] frame = [(byte)'{', (byte)'}'];

        Assert.Multiple(() =>
        {
            Assert.That(session.Deliver(frame, 7, 100, Priority.Normal), Is.EqualTo(Delivery.Queued));
            Assert.That(session.Deliver(frame, 7, 200, Priority.Normal), Is.EqualTo(Delivery.Shed));
            Assert.That(session.Acked(7, DateTimeOffset.UtcNow)?.QueuedAt, Is.EqualTo(100), "the queued copy is still timed");
        });
    }
}
