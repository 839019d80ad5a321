using System.Text;
using System.Text.Json;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Sockets;

[Description("A notification is framed once and its bytes are written whole to each direct device socket: at once, with one "
    + "send(), when nothing is queued; through the queue otherwise. The WebSocket's own frames (pong, close) never land inside one.")]
public sealed class DirectWriteTests
{
    [Test]
    [Description("An idle session: the frame goes out on the publishing thread, unqueued, as one whole unmasked text frame.")]
    public async Task A_delivery_to_an_idle_session_is_written_at_once_as_a_whole_frame()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("direct-idle", Roles.Asesi), cts.Token);
        var welcome = await device.ReadFrameAsync(cts.Token);
        var writer = broker.Service<SessionRegistry>().ForUser("direct-idle").Single().Writer;
        var before = writer.DirectWrites;
        while (writer.FramesSent == 0)
        {
            await Task.Delay(10, cts.Token); // the loop that wrote the welcome has let go of the socket once it counts it
        }

        Assert.That(Publish(broker, "direct-idle", 1, 100), Is.EqualTo(1));
        var frame = await device.ReadFrameAsync(cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(welcome is { Final: true, Opcode: RawFrame.Text, Masked: false }, Is.True, "the welcome is a whole text frame");
            Assert.That(before, Is.Zero, "the welcome is queued: it goes out once the session is registered");
            Assert.That(writer.DirectWrites, Is.EqualTo(1), "the notification was written at once, not queued");
            Assert.That(frame is { Final: true, Opcode: RawFrame.Text, Masked: false }, Is.True);
            Assert.That(NotificationId(frame), Is.EqualTo(1));
            Assert.That(writer.FramesSent, Is.EqualTo(2));
            Assert.That(writer.Depth, Is.Zero);
        });
    }

    [Test]
    [Description("A kick while a burst backs up in the kernel and the queue: every frame before the close is whole, the close is the last frame.")]
    public async Task A_close_during_a_burst_ends_with_a_clean_close_frame()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("direct-kick", Roles.Asesi), cts.Token);
        await device.ReadFrameAsync(cts.Token);
        var session = broker.Service<SessionRegistry>().ForUser("direct-kick").Single();

        // 3 KiB frames into a 4 KiB receive window: the first go out at once, one is cut by the full kernel
        // buffer (its rest waits), the rest queue up and past the queue's 256 the normal ones are shed.
        for (var id = 1L; id <= 400; id++)
        {
            Publish(broker, "direct-kick", id, 3000);
        }

        Assert.That(session.Close(CloseCodes.KickedByAdmin, "kicked"), Is.True);
        var ids = new List<long>();
        RawFrame frame;
        while ((frame = await device.ReadFrameAsync(cts.Token)).Opcode != RawFrame.Close)
        {
            Assert.That(frame is { Final: true, Opcode: RawFrame.Text, Masked: false }, Is.True, $"frame with opcode {frame.Opcode} after {ids.Count} whole ones");
            ids.Add(NotificationId(frame));
        }

        await device.SendCloseAsync(CloseCodes.KickedByAdmin, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(frame.CloseCode, Is.EqualTo(CloseCodes.KickedByAdmin));
            Assert.That(ids, Is.Not.Empty.And.Ordered.Ascending.And.Unique);
            Assert.That(session.Writer.DirectWrites, Is.GreaterThan(1), "some frames of the burst were written at once");
        });
        Assert.That(async () => await device.ReadFrameAsync(cts.Token), Throws.InstanceOf<EndOfStreamException>(), "nothing follows the close frame");
    }

    [Test]
    [Description("Pings from the device throughout a burst the device reads slowly: each pong comes between two whole frames, and every notification arrives, in order.")]
    public async Task Pongs_during_a_burst_never_land_inside_a_frame()
    {
        const int Count = 600;
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:QueueCapacity"] = "4096" });
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("direct-ping", Roles.Asesi), cts.Token);
        await device.ReadFrameAsync(cts.Token);

        var publishing = Task.Run(async () =>
        {
            for (var id = 1L; id <= Count; id++)
            {
                Publish(broker, "direct-ping", id, 1500);
                if (id % 20 == 0)
                {
                    await Task.Delay(5, cts.Token); // lets the queue drain now and then, so both paths take turns
                }
            }
        });

        var pings = 0;
        var pinging = Task.Run(async () =>
        {
            while (!publishing.IsCompleted)
            {
                await device.SendPingAsync(Encoding.ASCII.GetBytes($"p{++pings}"), cts.Token);
                await Task.Delay(2, cts.Token);
            }
        });

        var ids = new List<long>();
        var pongs = new List<string>();
        while (ids.Count < Count || !pinging.IsCompleted || pongs.Count < pings)
        {
            var frame = await device.ReadFrameAsync(cts.Token);
            Assert.That(frame.Final && !frame.Masked, Is.True, "a whole server frame");
            switch (frame.Opcode)
            {
                case RawFrame.Text:
                    ids.Add(NotificationId(frame));
                    if (ids.Count % 50 == 0)
                    {
                        await Task.Delay(10, cts.Token); // a slow reader: the broker's writes back up
                    }

                    break;
                case RawFrame.Pong:
                    pongs.Add(Encoding.ASCII.GetString(frame.Payload));
                    break;
                case RawFrame.Ping:
                    break;
                default:
                    Assert.Fail($"unexpected frame, opcode {frame.Opcode}, after {ids.Count} notifications");
                    break;
            }
        }

        await Task.WhenAll(publishing, pinging);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1, Count).Select(i => (long)i)), "every notification, whole and in order");
            Assert.That(pongs, Is.EqualTo(Enumerable.Range(1, pings).Select(i => $"p{i}")), "every ping answered, in order");
            Assert.That(pings, Is.GreaterThan(0));
        });
    }

    private static int Publish(BrokerFixture broker, string userId, long id, int bodyLength) =>
        broker.Service<Publisher>().Publish(
            new Audience([userId]),
            new PushNotification(id, NotificationKinds.AdminMessage, "t", new string('b', bodyLength), null, null, DateTimeOffset.UnixEpoch));

    private static long NotificationId(RawFrame frame) =>
        JsonSerializer.Deserialize(frame.Payload, SitukJson.Default.DeviceFrame) is NotificationFrame n
            ? n.Id
            : throw new AssertionException("not a notification frame: " + Encoding.UTF8.GetString(frame.Payload));
}
