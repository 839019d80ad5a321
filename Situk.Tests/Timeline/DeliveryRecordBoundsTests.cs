using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

[Description("What the system stores about deliveries stays bounded however often a device re-acks, re-reads or reconnects: one row per session, the first time kept, and at most a fixed number of sessions per notification.")]
public sealed class DeliveryRecordBoundsTests : WholeSystemTests
{
    private const int Repeats = 50;

    // A few past the bound, so a row per reconnect would show.
    private const int Reconnects = OutboxStore.MaxRecordedSessions + 6;

    [Test]
    public async Task Re_acks_in_one_session_keep_one_receipt_with_the_first_ack_time()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var (device, _) = await DeviceSessions.ConnectAsync(Stack, asesi, DeviceClasses.Android, cts.Token);
        using var _ = device;
        var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", cts.Token);
        await DeviceSessions.ReceiveNotificationAsync(device, cts.Token);
        await device.SendFrameAsync(new AckFrame([id]), cts.Token);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id, 1, cts.Token);
        var firstAck = await AckedAtAsync(id);

        for (var i = 0; i < Repeats; i++)
        {
            await device.SendFrameAsync(new AckFrame([id, id]), cts.Token);
        }

        await SentinelAckAsync(asesi, device, cts.Token);
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id), Is.EqualTo(1));
            Assert.That(await AckedAtAsync(id), Is.EqualTo(firstAck), "the first ack's time is kept");
            Assert.That(await Stack.Api.ScalarAsync<DateTime>("SELECT delivered_at FROM notifications WHERE id = @id", ("id", id)), Is.EqualTo(firstAck));
        });
    }

    [Test]
    [Description("A device that reconnects and re-acks the same notification each time: a receipt per session up to the bound, then no more.")]
    public async Task Reconnecting_and_re_acking_stops_adding_receipts_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", cts.Token);
        using var last = await ReconnectRepeatedlyAsync(asesi, DeviceClasses.Android, device => device.SendFrameAsync(new AckFrame([id]), cts.Token), cts.Token);
        await SentinelAckAsync(asesi, last, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    [Test]
    public async Task Re_reads_keep_one_read_per_session_and_stop_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", cts.Token);
        var (first, _) = await DeviceSessions.ConnectAsync(Stack, asesi, DeviceClasses.Web, cts.Token);
        await first.SendFrameAsync(new ReadFrame([id]), cts.Token);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM notification_reads WHERE notification_id = @id", id, 1, cts.Token);
        var firstRead = await Stack.Api.ScalarAsync<DateTime>("SELECT read_at FROM notification_reads WHERE notification_id = @id", ("id", id));
        for (var i = 0; i < Repeats; i++)
        {
            await first.SendFrameAsync(new ReadFrame([id]), cts.Token);
        }

        await SentinelReadAsync(asesi, first, cts.Token);
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM notification_reads WHERE notification_id = @id", id), Is.EqualTo(1));
            Assert.That(await Stack.Api.ScalarAsync<DateTime>("SELECT read_at FROM notification_reads WHERE notification_id = @id", ("id", id)), Is.EqualTo(firstRead));
        });
        await DeviceSessions.CloseAsync(first, cts.Token);

        using var last = await ReconnectRepeatedlyAsync(asesi, DeviceClasses.Web, device => device.SendFrameAsync(new ReadFrame([id]), cts.Token), cts.Token);
        await SentinelReadAsync(asesi, last, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM notification_reads WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    [Test]
    [Description("A device that never acks is re-sent the notification each time it comes online: a written record per session up to the bound, then no more.")]
    public async Task Reconnecting_without_acking_stops_adding_written_records_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", cts.Token);
        using var last = await ReconnectRepeatedlyAsync(
            asesi,
            DeviceClasses.Desktop,
            async device => Assert.That((await DeviceSessions.ReceiveNotificationAsync(device, cts.Token)).Id, Is.EqualTo(id), "re-sent on coming online"),
            cts.Token);

        // Written records are flushed in order: once a later write to a new session is stored, the earlier ones are too.
        await DeviceSessions.ReceiveNotificationAsync(last, cts.Token);
        var sentinel = await DeviceSessions.SendAsync(Stack, asesi, "Sentinel", cts.Token);
        await DeviceSessions.ReceiveNotificationAsync(last, cts.Token);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_writes WHERE notification_id = @id", sentinel, 1, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM delivery_writes WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    /// <summary>
    /// <see cref="Reconnects"/> sessions one after another, each doing <paramref name="inSession"/> and closing,
    /// then one more session, left open, for the sentinel.
    /// </summary>
    private async Task<System.Net.WebSockets.ClientWebSocket> ReconnectRepeatedlyAsync(
        TestUser user, string deviceClass, Func<System.Net.WebSockets.ClientWebSocket, Task> inSession, CancellationToken ct)
    {
        for (var i = 0; i < Reconnects; i++)
        {
            var (device, _) = await DeviceSessions.ConnectAsync(Stack, user, deviceClass, ct);
            await inSession(device);
            await DeviceSessions.CloseAsync(device, ct);
        }

        var (last, _) = await DeviceSessions.ConnectAsync(Stack, user, deviceClass, ct);
        return last;
    }

    // Receipts are stored in the order the broker reported them: once a later ack is stored, the earlier ones were handled.
    private async Task SentinelAckAsync(TestUser user, System.Net.WebSockets.WebSocket device, CancellationToken ct)
    {
        var sentinel = await DeviceSessions.SendAsync(Stack, user, "Sentinel", ct);
        await device.SendFrameAsync(new AckFrame([sentinel]), ct);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", sentinel, 1, ct);
    }

    // Reads are stored one frame after another: once a later read is stored, the earlier ones were handled.
    private async Task SentinelReadAsync(TestUser user, System.Net.WebSockets.WebSocket device, CancellationToken ct)
    {
        var sentinel = await DeviceSessions.SendAsync(Stack, user, "Sentinel", ct);
        await device.SendFrameAsync(new ReadFrame([sentinel]), ct);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM notification_reads WHERE notification_id = @id", sentinel, 1, ct);
    }

    private Task<DateTime> AckedAtAsync(long id) =>
        Stack.Api.ScalarAsync<DateTime>("SELECT acked_at FROM delivery_receipts WHERE notification_id = @id", ("id", id));

    private Task<long> CountAsync(string sql, long id) => Stack.Api.ScalarAsync<long>(sql, ("id", id));
}
