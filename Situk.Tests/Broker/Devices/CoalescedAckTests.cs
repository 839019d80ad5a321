using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Devices;

[Description("One ack frame for a window of ids, each with the ms between its arrival on the device and the frame: every "
    + "receipt is dated when the device received it, never before the broker wrote it, and every bad shape of the frame "
    + "gets its 1008. Time is a FakeTimeProvider, so the dates are exact.")]
public sealed class CoalescedAckTests
{
    private FakeTimeProvider _clock = null!;
    private BrokerFixture _broker = null!;
    private WebSocket _link = null!;
    private long _nextRef;

    [SetUp]
    public async Task StartAsync()
    {
        using var cts = Timeouts.Generous();
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Batches of one: a receipt goes out at once, the fake clock never has to open the flush window.
        _broker = await BrokerFixture.StartAsync(
            new Dictionary<string, string?> { ["Situk:Broker:ReceiptBatchSize"] = "1" },
            b => b.Services.AddSingleton<TimeProvider>(_clock),
            cts.Token);
        _link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _link.Dispose();
        await _broker.DisposeAsync();
    }

    [Test]
    public async Task Each_id_of_one_frame_is_dated_its_arrival_less_its_delay()
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("coalesced", cancellationToken: cts.Token);
        using (device)
        {
            var first = await PublishAsync(device, "coalesced", 11, cts.Token);
            _clock.Advance(TimeSpan.FromSeconds(1));
            var second = await PublishAsync(device, "coalesced", 12, cts.Token);
            _clock.Advance(TimeSpan.FromSeconds(1));
            var ackedAt = _clock.GetUtcNow();

            await device.SendFrameAsync(new AckFrame([11, 12], [1500, 20]), cts.Token);

            var receipts = await ReceiptsAsync(2, cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(receipts[11].AckedAt, Is.EqualTo(ackedAt - TimeSpan.FromMilliseconds(1500)));
                Assert.That(receipts[12].AckedAt, Is.EqualTo(ackedAt - TimeSpan.FromMilliseconds(20)));
                Assert.That(receipts[11].WrittenAt, Is.EqualTo(first), "the write time is the broker's own");
                Assert.That(receipts[12].WrittenAt, Is.EqualTo(second));
            });
        }
    }

    [Test]
    [Description("Older clients send one id a frame and no delays: the receipt is dated when the frame arrived, as before.")]
    public async Task A_single_id_ack_without_delays_is_dated_on_arrival()
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("older", cancellationToken: cts.Token);
        using (device)
        {
            await PublishAsync(device, "older", 21, cts.Token);
            _clock.Advance(TimeSpan.FromMilliseconds(700));
            var ackedAt = _clock.GetUtcNow();

            await device.SendTextAsync("""{"type":"ack","ids":[21]}""", cts.Token);

            Assert.That((await ReceiptsAsync(1, cts.Token))[21].AckedAt, Is.EqualTo(ackedAt));
        }
    }

    [Test]
    [Description("A device cannot have received a frame before the broker wrote it: a delay reaching further back is cut at the "
        + "write. For an id this session was never sent, the broker has nothing to bound a claim by, so the delay is ignored.")]
    public async Task A_delay_never_dates_a_receipt_before_the_write_and_is_ignored_for_an_id_never_sent_here()
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("boaster", cancellationToken: cts.Token);
        using (device)
        {
            var written = await PublishAsync(device, "boaster", 31, cts.Token);
            _clock.Advance(TimeSpan.FromSeconds(2));
            var ackedAt = _clock.GetUtcNow();

            await device.SendFrameAsync(new AckFrame([31, 404], [int.MaxValue, 900_000]), cts.Token);

            var receipts = await ReceiptsAsync(2, cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(receipts[31].AckedAt, Is.EqualTo(written), "cut at the write");
                Assert.That(receipts[404].AckedAt, Is.EqualTo(ackedAt), "never sent here: dated on arrival");
                Assert.That(receipts[404].WrittenAt, Is.Null);
                Assert.That(device.State, Is.EqualTo(WebSocketState.Open), "a large delay is no breach: a paused app flushes late");
            });
        }
    }

    [Test]
    [Description("The same id twice in one frame makes one receipt, with the first occurrence's delay; zero is a valid delay.")]
    public async Task A_duplicate_id_in_one_frame_makes_one_receipt()
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("stutter", cancellationToken: cts.Token);
        using (device)
        {
            await PublishAsync(device, "stutter", 41, cts.Token);
            await PublishAsync(device, "stutter", 42, cts.Token);
            _clock.Advance(TimeSpan.FromSeconds(1));
            var ackedAt = _clock.GetUtcNow();

            await device.SendFrameAsync(new AckFrame([41, 41, 42], [300, 5, 0]), cts.Token);

            var receipts = await ReceiptsAsync(2, cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(receipts.Keys, Is.EquivalentTo(new long[] { 41, 42 }));
                Assert.That(receipts[41].AckedAt, Is.EqualTo(ackedAt - TimeSpan.FromMilliseconds(300)));
                Assert.That(receipts[42].AckedAt, Is.EqualTo(ackedAt));
            });
            Assert.That((await _broker.StatsAsync(cts.Token)).Acks, Is.EqualTo(2), "one ack counted per id");
        }
    }

    /// <summary>Ack frames whose delays are unusable: each closes the session with 1008 and this reason.</summary>
    public static IEnumerable<TestCaseData> BadDelays()
    {
        yield return new TestCaseData("""{"type":"ack","ids":[1,2],"delays":[5]}""", "ack delays do not match ids").SetName("Fewer delays than ids");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[5,6]}""", "ack delays do not match ids").SetName("More delays than ids");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[]}""", "ack delays do not match ids").SetName("Empty delays");
        yield return new TestCaseData("""{"type":"ack","ids":[1,2],"delays":[5,-1]}""", "negative ack delay").SetName("A negative delay");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[-2147483648]}""", "negative ack delay").SetName("The most negative delay");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[2147483648]}""", "malformed or unknown frame").SetName("A delay past int32");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[1.5]}""", "malformed or unknown frame").SetName("A fractional delay");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":["five"]}""", "malformed or unknown frame").SetName("A delay as a string of letters");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":["-5"]}""", "negative ack delay").SetName("A negative delay as a string");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":[null]}""", "malformed or unknown frame").SetName("A null delay");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":5}""", "malformed or unknown frame").SetName("Delays not an array");
        yield return new TestCaseData("""{"type":"ack","ids":[1],"delays":{"0":5}}""", "malformed or unknown frame").SetName("Delays as an object");
        var many = string.Join(',', Enumerable.Range(1, 257));
        var delays = string.Join(',', Enumerable.Repeat(1, 257));
        yield return new TestCaseData($$"""{"type":"ack","ids":[{{many}}],"delays":[{{delays}}]}""", "too many ids in one frame").SetName("257 ids with their delays");
    }

    [TestCaseSource(nameof(BadDelays))]
    public async Task An_ack_with_unusable_delays_is_closed_with_1008(string message, string reason)
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("bad-delays", cancellationToken: cts.Token);
        using (device)
        {
            await device.SendTextAsync(message, cts.Token);

            Assert.That(await device.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
            Assert.That(device.CloseStatusDescription, Is.EqualTo(reason));
        }
    }

    [Test]
    [Description("Null delays are absent delays (JSON writers that emit nulls); a read frame has no delays, so one there is an "
        + "unknown property; a delay may come as a string of digits, as an id may.")]
    public async Task Null_delays_and_delays_on_a_read_are_ignored_and_a_delay_may_be_a_string_of_digits()
    {
        using var cts = Timeouts.Generous();
        var (device, _) = await _broker.ConnectDeviceWithWelcomeAsync("lenient-delays", cancellationToken: cts.Token);
        using (device)
        {
            await PublishAsync(device, "lenient-delays", 51, cts.Token);
            _clock.Advance(TimeSpan.FromMilliseconds(40));
            var ackedAt = _clock.GetUtcNow();

            await device.SendTextAsync("""{"type":"read","ids":[51],"delays":[-5]}""", cts.Token);
            await device.SendTextAsync("""{"type":"ack","ids":[51],"delays":null}""", cts.Token);

            Assert.That((await ReceiptsAsync(1, cts.Token))[51].AckedAt, Is.EqualTo(ackedAt));

            await PublishAsync(device, "lenient-delays", 52, cts.Token);
            _clock.Advance(TimeSpan.FromMilliseconds(40));
            await device.SendTextAsync("""{"type":"ack","ids":["52"],"delays":["25"]}""", cts.Token);

            Assert.That((await ReceiptsAsync(1, cts.Token))[52].AckedAt, Is.EqualTo(_clock.GetUtcNow() - TimeSpan.FromMilliseconds(25)));
            Assert.That(device.State, Is.EqualTo(WebSocketState.Open));
        }
    }

    [Test]
    [Description("A device sending the largest ack frames it may, all unknown ids with the largest delays, as fast as its bucket "
        + "allows: another user's ack still becomes a receipt, dated right, and the flooder's cost it nothing.")]
    public async Task One_devices_flood_of_coalesced_acks_costs_another_user_no_receipt()
    {
        using var cts = Timeouts.Generous();
        var (flooder, _) = await _broker.ConnectDeviceWithWelcomeAsync("flooder", cancellationToken: cts.Token);
        var (honest, _) = await _broker.ConnectDeviceWithWelcomeAsync("honest", cancellationToken: cts.Token);
        using (flooder)
        using (honest)
        {
            await PublishAsync(honest, "honest", 61, cts.Token);
            _clock.Advance(TimeSpan.FromMilliseconds(50));
            // 5,120 distinct ids: five times the flooder's share of the receipt queue (1,024), so it must wait its turn.
            var delays = Enumerable.Repeat(int.MaxValue, 256).ToArray();
            for (var frame = 0; frame < 20; frame++)
            {
                var ids = Enumerable.Range(0, 256).Select(i => 1_000_000L + (frame * 256) + i).ToArray();
                await flooder.SendFrameAsync(new AckFrame(ids, delays), cts.Token);
            }

            var ackedAt = _clock.GetUtcNow();
            await honest.SendFrameAsync(new AckFrame([61], [30]), cts.Token);

            var receipt = await _link.ReceiveInternalAsync<ReceiptsFrame>(r => r.Items.Any(i => i.UserId == "honest"), cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(receipt.Items.Single(i => i.UserId == "honest").AckedAt, Is.EqualTo(ackedAt - TimeSpan.FromMilliseconds(30)));
                Assert.That(flooder.State, Is.EqualTo(WebSocketState.Open), "20 frames are within the bucket: no breach");
            });
        }
    }

    /// <summary>
    /// Publishes <paramref name="id"/> to <paramref name="userId"/>, waits until the device read it and the broker reported
    /// the write (its writer may finish after the device has read), and returns the (fake) time it was written.
    /// </summary>
    private async Task<DateTimeOffset> PublishAsync(WebSocket device, string userId, long id, CancellationToken ct)
    {
        var writtenAt = _clock.GetUtcNow();
        var notification = new PushNotification(id, NotificationKinds.AdminMessage, "Pengumuman", "Isi", null, null, writtenAt);
        await _link.SendFrameAsync(new PublishFrame(++_nextRef, Audience.Users(userId), notification), ct);
        Assert.That((await device.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        var written = await _link.ReceiveInternalAsync<WrittenFrame>(w => w.Items.Any(i => i.NotificationId == id), ct);
        Assert.That(written.Items.Single(i => i.NotificationId == id).WrittenAt, Is.EqualTo(writtenAt));
        return writtenAt;
    }

    /// <summary>Reads receipts frames until <paramref name="count"/> receipts came, by notification id.</summary>
    private async Task<Dictionary<long, Receipt>> ReceiptsAsync(int count, CancellationToken ct)
    {
        var receipts = new Dictionary<long, Receipt>();
        while (receipts.Count < count)
        {
            var frame = await _link.ReceiveInternalAsync<ReceiptsFrame>(null, ct);
            foreach (var item in frame.Items)
            {
                Assert.That(receipts.TryAdd(item.NotificationId, item), Is.True, $"one receipt for {item.NotificationId}");
            }
        }

        return receipts;
    }
}
