using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Tests.Broker.Sockets;

[Description("A session's send queue: full, it sheds normal-priority frames first and refuses a high one only when no normal one is left; what is sent keeps its order.")]
public sealed class SendQueueTests
{
    [Test]
    public void Full_queue_sheds_an_offered_normal_frame()
    {
        var queue = new SendQueue(2);
        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(1, Priority.Normal)), Is.EqualTo(Offer.Queued));
            Assert.That(queue.TryAdd(Frame(2, Priority.High)), Is.EqualTo(Offer.Queued));
            Assert.That(queue.TryAdd(Frame(3, Priority.Normal)), Is.EqualTo(Offer.Shed));
            Assert.That(queue.Count, Is.EqualTo(2));
            Assert.That(Drain(queue), Is.EqualTo(new[] { 1L, 2L }));
        });
    }

    [Test]
    public void High_frame_takes_the_room_of_the_oldest_normal_one_and_order_is_kept()
    {
        var queue = new SendQueue(3);
        queue.TryAdd(Frame(1, Priority.Normal));
        queue.TryAdd(Frame(2, Priority.High));
        queue.TryAdd(Frame(3, Priority.Normal));

        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(4, Priority.High)), Is.EqualTo(Offer.QueuedShedding));
            Assert.That(queue.Count, Is.EqualTo(3));
            Assert.That(Drain(queue, out var shed), Is.EqualTo(new[] { 2L, 3L, 4L }), "1, the oldest normal frame, is skipped");
            Assert.That(shed, Is.EqualTo(new[] { 1L }));
        });
    }

    [Test]
    public void High_frame_is_refused_only_when_every_queued_frame_is_high()
    {
        var queue = new SendQueue(2);
        queue.TryAdd(Frame(1, Priority.Normal));
        queue.TryAdd(Frame(2, Priority.Normal));

        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(3, Priority.High)), Is.EqualTo(Offer.QueuedShedding));
            Assert.That(queue.TryAdd(Frame(4, Priority.High)), Is.EqualTo(Offer.QueuedShedding));
            Assert.That(queue.TryAdd(Frame(5, Priority.High)), Is.EqualTo(Offer.Full));
            Assert.That(queue.TryAdd(Frame(6, Priority.Normal)), Is.EqualTo(Offer.Shed));
            Assert.That(Drain(queue, out var shed), Is.EqualTo(new[] { 3L, 4L }));
            Assert.That(shed, Is.EqualTo(new[] { 1L, 2L }));
        });
    }

    [Test]
    [Description("A frame the reader already took is not evicted: the next normal one is, and the count stays right.")]
    public void Eviction_after_the_reader_took_a_frame_lands_on_the_next_normal_one()
    {
        var queue = new SendQueue(2);
        queue.TryAdd(Frame(1, Priority.Normal));
        queue.TryAdd(Frame(2, Priority.Normal));
        Assert.That(queue.TryTake(out var first, out var firstShed), Is.True);
        queue.TryAdd(Frame(3, Priority.High));
        queue.TryAdd(Frame(4, Priority.High));

        Assert.Multiple(() =>
        {
            Assert.That((first.NotificationId, firstShed), Is.EqualTo((1L, false)));
            Assert.That(queue.Count, Is.EqualTo(2));
            Assert.That(queue.TryAdd(Frame(5, Priority.High)), Is.EqualTo(Offer.Full));
            Assert.That(Drain(queue, out var shed), Is.EqualTo(new[] { 3L, 4L }));
            Assert.That(shed, Is.EqualTo(new[] { 2L }));
            Assert.That(queue.Count, Is.Zero);
        });
    }

    [Test]
    public void Completed_queue_takes_nothing_more()
    {
        var queue = new SendQueue(2);
        queue.TryAdd(Frame(1, Priority.High));
        queue.Complete();

        Assert.Multiple(() =>
        {
            Assert.That(queue.TryAdd(Frame(2, Priority.High)), Is.EqualTo(Offer.Closed));
            Assert.That(Drain(queue), Is.EqualTo(new[] { 1L }));
        });
    }

    [Test]
    public async Task A_waiting_reader_is_woken_by_a_frame_then_by_completion()
    {
        var queue = new SendQueue(2);
        var waiting = queue.WaitToReadAsync().AsTask();
        Assert.That(waiting.IsCompleted, Is.False, "nothing queued yet");

        queue.TryAdd(Frame(1, Priority.Normal));
        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(Drain(queue), Is.EqualTo(new[] { 1L }));

        var again = queue.WaitToReadAsync().AsTask();
        queue.Complete();
        Assert.That(await again.WaitAsync(TimeSpan.FromSeconds(10)), Is.False, "completed and empty: the reader ends");
    }

    [Test]
    public async Task Frames_queued_before_completion_are_still_read()
    {
        var queue = new SendQueue(2);
        queue.TryAdd(Frame(1, Priority.High));
        queue.Complete();

        Assert.That(await queue.WaitToReadAsync(), Is.True);
        Assert.That(Drain(queue), Is.EqualTo(new[] { 1L }));
        Assert.That(await queue.WaitToReadAsync(), Is.False);
    }

    [Test]
    public async Task Cancel_ends_the_wait_in_progress_and_every_later_one()
    {
        var queue = new SendQueue(2);
        var waiting = queue.WaitToReadAsync().AsTask();

        queue.Cancel();

        Assert.That(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(async () => await queue.WaitToReadAsync(), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    [Description("One reader waiting again and again on the same queue while another thread offers frames: every frame is read once, in order.")]
    public async Task A_reader_and_a_writer_on_two_threads_lose_nothing()
    {
        const int Frames = 100_000;
        var queue = new SendQueue(Frames);
        var read = new List<long>(Frames);
        var reader = Task.Run(async () =>
        {
            while (await queue.WaitToReadAsync())
            {
                while (queue.TryTake(out var frame, out _))
                {
                    read.Add(frame.NotificationId);
                }
            }
        });

        await Task.Run(() =>
        {
            for (var id = 1L; id <= Frames; id++)
            {
                queue.TryAdd(Frame(id, Priority.Normal));
            }

            queue.Complete();
        });

        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(read, Is.EqualTo(Enumerable.Range(1, Frames).Select(i => (long)i)));
    }

    [Test]
    [Description("A queue grown by a burst gives its room back once empty and keeps working.")]
    public void A_drained_burst_leaves_a_working_queue()
    {
        var queue = new SendQueue(1000);
        for (var id = 1L; id <= 1000; id++)
        {
            queue.TryAdd(Frame(id, Priority.Normal));
        }

        Assert.That(Drain(queue), Has.Length.EqualTo(1000));
        Assert.That(queue.TryAdd(Frame(1001, Priority.High)), Is.EqualTo(Offer.Queued));
        Assert.That(Drain(queue), Is.EqualTo(new[] { 1001L }));
        Assert.That(queue.Count, Is.Zero);
    }

    private static OutboundFrame Frame(long id, Priority priority) => new(new byte[] { 1 }, id, priority);

    private static long[] Drain(SendQueue queue) => Drain(queue, out _);

    private static long[] Drain(SendQueue queue, out long[] shed)
    {
        var sent = new List<long>();
        var skipped = new List<long>();
        while (queue.TryTake(out var frame, out var wasShed))
        {
            (wasShed ? skipped : sent).Add(frame.NotificationId);
        }

        shed = [.. skipped];
        return [.. sent];
    }
}
