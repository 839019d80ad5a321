using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Sockets;

[Description("A session's writer loop runs only while frames wait: an idle session holds no waiting loop and no queue array, "
    + "a frame that must wait starts the loop, the loop stops once drained, and a close still goes out at once.")]
public sealed class LazyWriterTests
{
    [Test]
    [Description("After the welcome the loop has stopped and the queue holds no array; a delivery to the idle session is written at once and starts nothing.")]
    public async Task An_idle_session_holds_no_writer_loop_and_no_queue()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("lazy-idle", Roles.Asesi), cts.Token);
        await device.ReadFrameAsync(cts.Token);
        var writer = broker.Service<SessionRegistry>().ForUser("lazy-idle").Single().Writer;
        await UntilStoppedAsync(writer, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(writer.LoopStarts, Is.EqualTo(1), "once, for the welcome");
            Assert.That(writer.HasQueueStorage, Is.False, "the emptied queue gave its array back");
        });

        Assert.That(Publish(broker, "lazy-idle", 1, 100), Is.EqualTo(1));
        var frame = await device.ReadFrameAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(NotificationId(frame), Is.EqualTo(1));
            Assert.That(writer.DirectWrites, Is.EqualTo(1));
            Assert.That(writer.LoopStarts, Is.EqualTo(1), "a frame written at once starts no loop");
            Assert.That(writer.IsLoopRunning, Is.False);
            Assert.That(writer.HasQueueStorage, Is.False);
        });
    }

    [Test]
    [Description("A burst into a device that does not read fills the kernel's buffer: the frames that must wait start the loop, every frame then "
        + "arrives whole and in order, and once the queue is drained the loop stops and the array is given back.")]
    public async Task Frames_that_must_wait_start_the_loop_which_stops_once_drained_without_reordering()
    {
        const int Count = 200; // 30 KB each (6 MB, past what the kernel buffers for a 4 KiB receive window), below the queue's 256: none shed
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("lazy-burst", Roles.Asesi), cts.Token);
        await device.ReadFrameAsync(cts.Token);
        var writer = broker.Service<SessionRegistry>().ForUser("lazy-burst").Single().Writer;
        await UntilStoppedAsync(writer, cts.Token);

        for (var id = 1L; id <= Count; id++)
        {
            Publish(broker, "lazy-burst", id, 30_000);
        }

        Assert.Multiple(() =>
        {
            Assert.That(writer.LoopStarts, Is.EqualTo(2), "the first frame that had to wait started the loop, once");
            Assert.That(writer.IsLoopRunning, Is.True, "the device reads nothing yet: the loop waits for room");
            Assert.That(writer.DirectWrites, Is.GreaterThan(0), "the first frames went out at once");
        });

        var ids = new List<long>();
        while (ids.Count < Count)
        {
            var frame = await device.ReadFrameAsync(cts.Token);
            Assert.That(frame is { Final: true, Opcode: RawFrame.Text, Masked: false }, Is.True, $"a whole text frame after {ids.Count}");
            ids.Add(NotificationId(frame));
        }

        await UntilStoppedAsync(writer, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1, Count).Select(i => (long)i)), "every frame, in order");
            Assert.That(writer.HasQueueStorage, Is.False);
            Assert.That(writer.Depth, Is.Zero);
        });
    }

    [Test]
    [Description("A kick of an idle session, whose loop has stopped: the close frame still goes out within about a second.")]
    public async Task A_close_of_an_idle_session_sends_the_close_frame_promptly()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var device = await RawDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue("lazy-kick", Roles.Asesi), cts.Token);
        await device.ReadFrameAsync(cts.Token);
        var session = broker.Service<SessionRegistry>().ForUser("lazy-kick").Single();
        await UntilStoppedAsync(session.Writer, cts.Token);

        Assert.That(session.Close(CloseCodes.KickedByAdmin, "kicked"), Is.True);
        var close = await device.ReadFrameAsync(cts.Token).WaitAsync(TimeSpan.FromSeconds(1), cts.Token);
        Assert.That(close is { Opcode: RawFrame.Close, CloseCode: CloseCodes.KickedByAdmin }, Is.True);
    }

    [Test]
    [Description("A writer that never had a frame to queue (its loop never started): a close request sends the close frame and completes the writer.")]
    public async Task A_close_on_a_never_started_loop_sends_the_close_frame_and_completes()
    {
        var written = new MemoryStream();
        using var socket = WebSocket.CreateFromStream(written, new WebSocketCreationOptions { IsServer = true });
        using var writer = new FrameWriter(socket, 4, TimeProvider.System, TimeSpan.FromSeconds(5));
        writer.Start(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(writer.LoopStarts, Is.Zero, "nothing queued: no loop");
            Assert.That(writer.IsLoopRunning, Is.False);
            Assert.That(writer.HasQueueStorage, Is.False);
        });

        Assert.That(writer.RequestClose(CloseCodes.GoingAway, "going away"), Is.True);
        await writer.Completion.WaitAsync(TimeSpan.FromSeconds(1));

        var bytes = written.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(writer.LoopStarts, Is.EqualTo(1), "the close started the loop");
            Assert.That(bytes, Is.Not.Empty);
            Assert.That(bytes[0], Is.EqualTo(0x88), "a final close frame");
            Assert.That((bytes[2] << 8) | bytes[3], Is.EqualTo(CloseCodes.GoingAway));
        });
    }

    [Test]
    [Description("A close requested before the writer is started (a session closed while it registers) goes out once it starts.")]
    public async Task A_close_requested_before_start_goes_out_at_start()
    {
        var written = new MemoryStream();
        using var socket = WebSocket.CreateFromStream(written, new WebSocketCreationOptions { IsServer = true });
        using var writer = new FrameWriter(socket, 4, TimeProvider.System, TimeSpan.FromSeconds(5));
        writer.TryWrite("{}"u8.ToArray());
        writer.RequestClose(CloseCodes.GoingAway, "going away");
        Assert.That(writer.LoopStarts, Is.Zero, "not started yet");

        writer.Start(CancellationToken.None);
        await writer.Completion.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.That(written.ToArray()[0], Is.EqualTo(0x88), "the queued frame is skipped by the close, which goes out");
    }

    /// <summary>The loop stops once it has counted the last frame and seen the queue empty: a short wait after the device read it.</summary>
    private static async Task UntilStoppedAsync(FrameWriter writer, CancellationToken ct)
    {
        while (writer.IsLoopRunning || writer.HasQueueStorage)
        {
            await Task.Delay(10, ct);
        }
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
