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
    [Description("Frames offered before Start wait for it; Start then asks for a reader once, and a running reader is never asked for twice.")]
    public void A_reader_is_asked_for_only_once_started_and_only_when_none_runs()
    {
        var queue = new SendQueue(4);
        queue.TryAdd(Frame(1, Priority.High), out var before);
        Assert.That(before, Is.False, "not started yet");
        Assert.That(queue.Start(), Is.True, "a frame waits");
        Assert.That(queue.Start(), Is.False, "started once");

        queue.TryAdd(Frame(2, Priority.Normal), out var running);
        Assert.Multiple(() =>
        {
            Assert.That(running, Is.False, "the reader already runs");
            Assert.That(queue.IsReaderRunning, Is.True);
            Assert.That(Drain(queue), Is.EqualTo(new[] { 1L, 2L }));
        });
    }

    [Test]
    [Description("A reader that empties the queue stops and the queue lets go of its array; the next frame asks for a reader again.")]
    public void An_emptied_queue_stops_its_reader_and_drops_its_storage()
    {
        var queue = new SendQueue(4);
        Assert.That(queue.Start(), Is.False, "nothing to read");
        Assert.That(queue.HasStorage, Is.False, "no array before the first frame");

        queue.TryAdd(Frame(1, Priority.Normal), out var first);
        Assert.That(first, Is.True);
        Assert.That(queue.TryStop(), Is.False, "a frame waits: the reader goes on");
        Assert.That(Drain(queue), Is.EqualTo(new[] { 1L }));
        Assert.That(queue.TryStop(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(queue.IsReaderRunning, Is.False);
            Assert.That(queue.HasStorage, Is.False, "the array is given back");
        });

        queue.TryAdd(Frame(2, Priority.Normal), out var again);
        Assert.That(again, Is.True, "stopped: the next frame starts a reader");
    }

    [Test]
    [Description("Completion asks for a reader when none runs (it sends the close), never for a second one, and a completed queue never stops its reader before the end.")]
    public void Completion_starts_a_stopped_reader_and_keeps_a_running_one()
    {
        var stopped = new SendQueue(2);
        stopped.Start();
        Assert.That(stopped.Complete(), Is.True, "no reader runs: the caller starts one for the close");

        var running = new SendQueue(2);
        running.Start();
        running.TryAdd(Frame(1, Priority.High), out _);
        Assert.Multiple(() =>
        {
            Assert.That(running.Complete(), Is.False, "the running reader sees the completion itself");
            Assert.That(Drain(running), Is.EqualTo(new[] { 1L }), "frames queued before completion are still there");
            Assert.That(running.TryStop(), Is.False, "completed: the reader goes on to its end");
            Assert.That(running.TryAdd(Frame(2, Priority.High)), Is.EqualTo(Offer.Closed));
        });

        var never = new SendQueue(2);
        Assert.That(never.Complete(), Is.False, "not started: Start runs the reader later");
        Assert.That(never.Start(), Is.True);
    }

    [Test]
    [Description("One reader started and stopped again and again while another thread offers frames: every frame is read once, in order, and never by two readers at once.")]
    public async Task A_reader_and_a_writer_on_two_threads_lose_nothing()
    {
        const int Frames = 100_000;
        var queue = new SendQueue(Frames);
        var read = new List<long>(Frames);
        using var starts = new SemaphoreSlim(0);
        var readers = 0;
        var overlapped = false;
        queue.Start();
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                await starts.WaitAsync();
                overlapped |= Interlocked.Increment(ref readers) > 1;
                while (true)
                {
                    while (queue.TryTake(out var frame, out _))
                    {
                        read.Add(frame.NotificationId);
                    }

                    if (queue.TryStop())
                    {
                        break;
                    }

                    if (queue.IsCompleted && queue.IsEmpty)
                    {
                        Interlocked.Decrement(ref readers);
                        return;
                    }
                }

                Interlocked.Decrement(ref readers);
            }
        });

        await Task.Run(() =>
        {
            for (var id = 1L; id <= Frames; id++)
            {
                queue.TryAdd(Frame(id, Priority.Normal), out var start);
                if (start)
                {
                    starts.Release();
                }
            }

            if (queue.Complete())
            {
                starts.Release();
            }
        });

        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(Enumerable.Range(1, Frames).Select(i => (long)i)));
            Assert.That(overlapped, Is.False);
        });
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
