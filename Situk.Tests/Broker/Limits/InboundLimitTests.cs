using System.Diagnostics;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Limits;

[Description("What one device's inbound frames may cost: a token bucket per session (1008 past it), one receipt per acked id, "
    + "and a bounded share of the receipt queue that makes the acking device wait instead of dropping anyone's receipts.")]
public sealed class InboundLimitTests
{
    [Test]
    [Description("Burst 20, refill 1/s: the 21st frame sent at once is past the bucket, and the close follows it within a second.")]
    public async Task A_session_past_its_inbound_bucket_is_closed_with_1008_at_once()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:InboundFrameBurst"] = "20",
            ["Situk:Broker:InboundFramesPerSecond"] = "1",
        });
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("flooder", cancellationToken: cts.Token);
        using (device)
        {
            for (var i = 0; i < 20; i++)
            {
                await device.SendFrameAsync(new ReadFrame([i + 1]), cts.Token);
            }

            var clock = Stopwatch.StartNew();
            await device.SendFrameAsync(new AckFrame([99]), cts.Token);
            var code = await device.ReceiveCloseAsync(cts.Token);
            var elapsed = clock.Elapsed;

            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(CloseCodes.PolicyViolation));
                Assert.That(device.CloseStatusDescription, Is.EqualTo("inbound frame rate"));
                Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "closed as the bucket ran dry, not at some later timeout");
            });
        }
    }

    [Test]
    [Description("Within the bucket, frames at a real client's pace leave the session open however long it lasts.")]
    public async Task Frames_within_the_bucket_leave_the_session_open()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:InboundFrameBurst"] = "20",
            ["Situk:Broker:InboundFramesPerSecond"] = "1",
        });
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("steady", cancellationToken: cts.Token);
        using (device)
        {
            for (var i = 0; i < 20; i++)
            {
                await device.SendFrameAsync(new AckFrame([i + 1]), cts.Token);
            }

            // The last of the burst is answered with its receipt, not a close.
            var receipt = await link.ReceiveInternalAsync<ReceiptsFrame>(r => r.Items.Any(i => i.NotificationId == 20), cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(receipt.Items.Select(i => i.UserId), Is.All.EqualTo("steady"));
                Assert.That(device.State, Is.EqualTo(WebSocketState.Open));
            });
        }
    }

    [Test]
    [Description("The same id acked five times, in one frame and across frames, makes one receipt.")]
    public async Task Duplicate_acks_make_one_receipt()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("repeater", cancellationToken: cts.Token);
        using (device)
        {
            await device.SendFrameAsync(new AckFrame([5, 5, 5]), cts.Token);
            await device.SendFrameAsync(new AckFrame([5]), cts.Token);
            await device.SendFrameAsync(new AckFrame([5, 6]), cts.Token);

            // Receipts keep the acks' order: once 6 is here, every receipt for 5 has been sent.
            var ids = new List<long>();
            while (!ids.Contains(6))
            {
                ids.AddRange((await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token)).Items.Select(i => i.NotificationId));
            }

            Assert.That(ids, Is.EqualTo(new long[] { 5, 6 }));
        }
    }

    [Test]
    [Description("A notification sent to the session again after its ack (a re-send: the first receipt may have been lost) is acked anew.")]
    public async Task An_ack_after_a_re_send_makes_a_receipt_again()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("resent", cancellationToken: cts.Token);
        using (device)
        {
            await device.SendFrameAsync(new AckFrame([7]), cts.Token);
            await link.ReceiveInternalAsync<ReceiptsFrame>(r => r.Items.Any(i => i.NotificationId == 7), cts.Token);

            await link.SendFrameAsync(new PublishFrame(1, Audience.Users("resent"), new PushNotification(
                7, NotificationKinds.AdminMessage, "lagi", "dikirim ulang", null, null, DateTimeOffset.UtcNow)), cts.Token);
            Assert.That((await device.ReceiveNotificationAsync(cts.Token)).Id, Is.EqualTo(7));
            await device.SendFrameAsync(new AckFrame([7, 7]), cts.Token);
            await device.SendFrameAsync(new AckFrame([8]), cts.Token);

            var ids = new List<long>();
            while (!ids.Contains(8))
            {
                ids.AddRange((await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token)).Items.Select(i => i.NotificationId));
            }

            Assert.That(ids, Is.EqualTo(new long[] { 7, 8 }), "the re-sent one once more, its repeat not");
        }
    }

    [Test]
    [Description("A link that has granted no receipt credit is sent no receipts; each grant lets about that many through, none lost.")]
    public async Task Receipts_wait_for_the_links_credit_and_none_is_lost()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:ReceiptBatchSize"] = "4" });
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token, receiptCredit: 0);
        await using var receipts = ReceiptLog.Start(link, cts.Token);
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("waiting", cancellationToken: cts.Token);
        using (device)
        {
            await device.SendFrameAsync(new AckFrame([.. Enumerable.Range(1, 10).Select(i => (long)i)]), cts.Token);
            await Task.Delay(300, cts.Token);
            Assert.That(receipts.Ids, Is.Empty, "no credit, no receipts");

            await link.SendFrameAsync(new ReceiptCreditFrame(4), cts.Token);
            await AdminCalls.EventuallyAsync(() => Task.FromResult(receipts.Ids.Count == 4), cts.Token);
            await Task.Delay(300, cts.Token);
            Assert.That(receipts.Ids, Is.EqualTo(new long[] { 1, 2, 3, 4 }), "one batch of four for a credit of four");

            await link.SendFrameAsync(new ReceiptCreditFrame(100), cts.Token);
            await AdminCalls.EventuallyAsync(() => Task.FromResult(receipts.Ids.Count == 10), cts.Token);
            Assert.That(receipts.Ids, Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
        }
    }

    [Test]
    [Description("Share 4, no credit yet: a device acking 100 ids fills its share and waits; another device's receipt still gets "
        + "into the queue, and once credit comes it arrives long before the first device's last, every receipt of both delivered.")]
    public async Task A_device_past_its_receipt_share_waits_and_others_receipts_still_get_through()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:ReceiptBatchSize"] = "2",
            ["Situk:Broker:ReceiptShare"] = "4",
            ["Situk:Broker:ReceiptBacklog"] = "8",
        });
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token, receiptCredit: 0);
        await using var receipts = ReceiptLog.Start(link, cts.Token);
        var (flooder, _) = await broker.ConnectDeviceWithWelcomeAsync("flooder", cancellationToken: cts.Token);
        var (honest, _) = await broker.ConnectDeviceWithWelcomeAsync("honest", cancellationToken: cts.Token);
        using (flooder)
        using (honest)
        {
            await flooder.SendFrameAsync(new AckFrame([.. Enumerable.Range(1, 100).Select(i => (long)i)]), cts.Token);
            await Task.Delay(300, cts.Token);
            await honest.SendFrameAsync(new AckFrame([1000]), cts.Token);
            await Task.Delay(300, cts.Token);

            await link.SendFrameAsync(new ReceiptCreditFrame(1000), cts.Token);
            await AdminCalls.EventuallyAsync(() => Task.FromResult(receipts.Ids.Count == 101), cts.Token);
            var ids = receipts.Ids;
            Assert.Multiple(() =>
            {
                Assert.That(ids.Where(id => id < 1000), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)), "every one of the flooder's, in order");
                Assert.That(ids.IndexOf(1000), Is.LessThan(ids.IndexOf(100)), "the other device's receipt did not wait behind the flooder's hundred");
                Assert.That(flooder.State, Is.EqualTo(WebSocketState.Open), "waiting is no breach");
            });
        }
    }

    /// <summary>Reads a link in the background and keeps the ids of every receipt, in order.</summary>
    private sealed class ReceiptLog : IAsyncDisposable
    {
        private readonly List<long> _ids = [];
        private readonly CancellationTokenSource _stop;
        private readonly Task _reading;

        private ReceiptLog(WebSocket link, CancellationToken ct)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _reading = ReadAsync(link, _stop.Token);
        }

        public List<long> Ids
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public static ReceiptLog Start(WebSocket link, CancellationToken ct) => new(link, ct);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task ReadAsync(WebSocket link, CancellationToken ct)
        {
            await Task.Yield();
            while (true)
            {
                if (await link.ReceiveInternalFrameAsync(ct) is ReceiptsFrame receipts)
                {
                    lock (_ids)
                    {
                        _ids.AddRange(receipts.Items.Select(i => i.NotificationId));
                    }
                }
            }
        }
    }
}
