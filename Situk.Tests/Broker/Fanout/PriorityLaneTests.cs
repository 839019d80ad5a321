using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Fanout;

[Description("A device that stops reading loses normal-priority frames first (shed, counted, left pending for the API to push again); a high-priority frame is delivered or its session is closed with 1013, never dropped silently; other sessions get everything.")]
public sealed class PriorityLaneTests
{
    private const string Slow = "lane-slow";
    private const string Fast = "lane-fast";

    private static readonly string Big = new('x', 128 * 1024);

    [Test]
    public async Task Full_queue_sheds_normal_frames_and_still_delivers_high_ones_without_closing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = await StartBrokerAsync();
        await using var lane = await Lane.OpenAsync(broker, cts.Token);
        using var slow = await StalledDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue(Slow, Roles.Asesi), cts.Token);

        // Normal frames until the slow session's queue is full and one is shed (queued for the fast one only).
        var normals = new List<long>();
        while (normals.Count < 3 || normals.Count(id => lane.QueuedFor(id) == 1) < 3)
        {
            Assert.That(normals, Has.Count.LessThan(2000), "the slow session's queue should have filled long ago");
            normals.Add(await lane.PublishAsync(NotificationKinds.AdminMessage, Priority.Normal, cts.Token));
        }

        var highs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            highs.Add(await lane.PublishAsync(NotificationKinds.VerdictCompetent, Priority.High, cts.Token));
        }

        using var reading = slow.StartReading();
        var received = await ReadUntilAsync(reading, highs[^1], cts.Token);
        var fast = await lane.FastReceivedUntilAsync(highs[^1], cts.Token);
        var stats = await broker.StatsAsync(cts.Token);
        using var admin = broker.CreateAdminClient();
        var metrics = await admin.GetStringAsync("metrics", cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(highs.Select(lane.QueuedFor), Has.All.EqualTo(2), "each high frame was queued for both sessions");
            Assert.That(received.Ids.Intersect(highs), Is.EqualTo(highs), "every high frame reached the slow device");
            Assert.That(received.Ids, Is.Ordered.Ascending.And.Unique, "what is sent keeps its order");
            Assert.That(received.Ids.Count(normals.Contains) + stats.Sheds, Is.EqualTo(normals.Count), "each normal frame was sent or counted as shed");
            Assert.That(stats.Sheds, Is.GreaterThan(normals.Count(id => lane.QueuedFor(id) == 1)),
                "the normal frames refused at the door, and at least one a high frame took the room of");
            Assert.That(stats.Drops, Is.Zero);
            Assert.That(reading.State, Is.EqualTo(WebSocketState.Open), "shedding does not close the session");
            Assert.That(metrics, Does.Match($"situk_broker_sheds\\{{node=\"[^\"]+\"\\}} {stats.Sheds}\\n"));
            Assert.That(fast, Is.EqualTo(normals.Concat(highs)), "the fast device got everything, in order");
        });
    }

    [Test]
    public async Task Flood_of_mixed_frames_ends_with_1013_and_no_high_frame_goes_missing_before_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = await StartBrokerAsync();
        await using var lane = await Lane.OpenAsync(broker, cts.Token);
        using var slow = await StalledDevice.ConnectAsync(broker.DeviceEndPoint.Port, broker.Tokens.Issue(Slow, Roles.Asesi), cts.Token);

        // Two normal frames, then a high one, until a high one finds no room: the slow session is then closed.
        var published = new List<(long Id, Priority Priority)>();
        while (published.Count == 0 || published[^1].Priority == Priority.Normal || lane.QueuedFor(published[^1].Id) == 2)
        {
            Assert.That(published, Has.Count.LessThan(3000), "the slow session should have been closed long ago");
            var priority = published.Count % 3 == 2 ? Priority.High : Priority.Normal;
            var kind = priority == Priority.High ? NotificationKinds.VerdictNotYetCompetent : NotificationKinds.AdminMessage;
            published.Add((await lane.PublishAsync(kind, priority, cts.Token), priority));
        }

        using var reading = slow.StartReading();
        var received = await ReadUntilAsync(reading, long.MaxValue, cts.Token);
        var fast = await lane.FastReceivedUntilAsync(published[^1].Id, cts.Token);
        var stats = await broker.StatsAsync(cts.Token);
        var queuedHighs = published.Where(p => p.Priority == Priority.High && lane.QueuedFor(p.Id) == 2).Select(p => p.Id).ToArray();
        var lastReceived = received.Ids.DefaultIfEmpty(0).Max();

        Assert.Multiple(() =>
        {
            Assert.That(received.CloseCode, Is.EqualTo(CloseCodes.TryAgainLater), "the high frame that found no room closed the session");
            Assert.That(queuedHighs.Where(id => id < lastReceived), Is.SubsetOf(received.Ids),
                "every high frame queued before the last frame the device got was delivered: none was dropped while the session went on");
            Assert.That(received.Ids, Is.Ordered.Ascending.And.Unique);
            Assert.That(stats.Sheds, Is.GreaterThan(0), "normal frames were shed before the session was closed");
            Assert.That(stats.Drops, Is.EqualTo(1));
            Assert.That(fast, Is.EqualTo(published.Select(p => p.Id)), "the fast device got everything, in order");
        });
    }

    private static Task<BrokerFixture> StartBrokerAsync() => BrokerFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:Broker:QueueCapacity"] = "8",
        ["Situk:Broker:CloseTimeoutSeconds"] = "60", // the slow device starts reading only after the flood
        ["Situk:Broker:HeartbeatSeconds"] = "300", // and does not answer pings meanwhile
    });

    /// <summary>Reads notifications until <paramref name="lastId"/> arrives or the broker closes (then its code).</summary>
    private static async Task<(List<long> Ids, int? CloseCode)> ReadUntilAsync(WebSocket socket, long lastId, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        while (true)
        {
            var message = await socket.ReceiveMessageAsync(cancellationToken);
            if (message is null)
            {
                return (ids, (int?)socket.CloseStatus);
            }

            if (JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame) is NotificationFrame n)
            {
                ids.Add(n.Id);
                if (n.Id == lastId)
                {
                    return (ids, null);
                }
            }
        }
    }

    /// <summary>
    /// The API's side for these tests: publishes to the slow and the fast user through the internal socket
    /// (so each publish carries its priority) and remembers how many sessions each was queued to; the fast
    /// device reads everything as it comes.
    /// </summary>
    private sealed class Lane : IAsyncDisposable
    {
        private readonly ClientWebSocket _link;
        private readonly ClientWebSocket _fast;
        private readonly Dictionary<long, int> _queued = [];
        private readonly List<long> _fastIds = [];
        private readonly Task _fastReading;
        private long _next;

        private Lane(ClientWebSocket link, ClientWebSocket fast)
        {
            _link = link;
            _fast = fast;
            _fastReading = ReadFastAsync();
        }

        public static async Task<Lane> OpenAsync(BrokerFixture broker, CancellationToken cancellationToken)
        {
            var link = await broker.ConnectInternalAsync(cancellationToken: cancellationToken);
            await link.ReceiveInternalAsync<OnlineUsersFrame>(null, cancellationToken);
            var (fast, _) = await broker.ConnectDeviceWithWelcomeAsync(Fast, Roles.Asesi, cancellationToken);
            return new Lane(link, fast);
        }

        public int QueuedFor(long id) => _queued[id];

        public async Task<long> PublishAsync(string kind, Priority priority, CancellationToken cancellationToken)
        {
            var id = ++_next;
            var notification = new PushNotification(id, kind, "lane " + id, Big, null, null, DateTimeOffset.UtcNow, priority);
            await _link.SendFrameAsync(new PublishFrame(id, Audience.Users(Slow, Fast), notification), cancellationToken);
            _queued[id] = (await _link.ReceiveInternalAsync<PublishedFrame>(p => p.Ref == id, cancellationToken)).Sessions;
            return id;
        }

        /// <summary>The ids the fast device received, once <paramref name="lastId"/> is among them.</summary>
        public async Task<List<long>> FastReceivedUntilAsync(long lastId, CancellationToken cancellationToken)
        {
            while (true)
            {
                lock (_fastIds)
                {
                    if (_fastIds.Contains(lastId))
                    {
                        return [.. _fastIds];
                    }
                }

                Assert.That(_fastReading.IsCompleted, Is.False, "the fast device's socket ended");
                await Task.Delay(20, cancellationToken);
            }
        }

        // The fast device reads all along, as a healthy device does.
        private async Task ReadFastAsync()
        {
            await Task.Yield();
            try
            {
                while (await _fast.ReceiveMessageAsync(CancellationToken.None) is { } message)
                {
                    if (JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame) is NotificationFrame n)
                    {
                        lock (_fastIds)
                        {
                            _fastIds.Add(n.Id);
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Aborted at the end of the test.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _link.Abort();
            _fast.Abort();
            await _fastReading;
            _link.Dispose();
            _fast.Dispose();
        }
    }
}
