using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

[Description("What the system stores about deliveries stays bounded however often a device re-acks, re-reads or reconnects: one row per session, the first time kept, and at most a fixed number of sessions per notification.")]
public sealed class DeliveryRecordBoundsTests
{
    private const int Repeats = 50;

    // A few past the bound, so a row per reconnect would show.
    private const int Reconnects = OutboxStore.MaxRecordedSessions + 6;

    private SystemFixture _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await SystemFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task Re_acks_in_one_session_keep_one_receipt_with_the_first_ack_time()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var (device, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Android, cts.Token);
        using var _ = device;
        var id = await DeviceSessions.SendAsync(_system, asesi, "Jadwal asesmen", cts.Token);
        await DeviceSessions.ReceiveNotificationAsync(device, cts.Token);
        await device.SendFrameAsync(new AckFrame([id]), cts.Token);
        await DeviceSessions.WaitForCountAsync(_system, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id, 1, cts.Token);
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
            Assert.That(await _system.Api.ScalarAsync<DateTime>("SELECT delivered_at FROM notifications WHERE id = @id", ("id", id)), Is.EqualTo(firstAck));
        });
    }

    [Test]
    [Description("A device that reconnects and re-acks the same notification each time: a receipt per session up to the bound, then no more.")]
    public async Task Reconnecting_and_re_acking_stops_adding_receipts_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(_system, asesi, "Jadwal asesmen", cts.Token);
        for (var i = 0; i < Reconnects; i++)
        {
            var (device, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Android, cts.Token);
            await device.SendFrameAsync(new AckFrame([id]), cts.Token);
            await DeviceSessions.CloseAsync(device, cts.Token);
        }

        var (last, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Android, cts.Token);
        using var _ = last;
        await SentinelAckAsync(asesi, last, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    [Test]
    public async Task Re_reads_keep_one_read_per_session_and_stop_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(_system, asesi, "Jadwal asesmen", cts.Token);
        var (first, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Web, cts.Token);
        await first.SendFrameAsync(new ReadFrame([id]), cts.Token);
        await DeviceSessions.WaitForCountAsync(_system, "SELECT count(*) FROM notification_reads WHERE notification_id = @id", id, 1, cts.Token);
        var firstRead = await _system.Api.ScalarAsync<DateTime>("SELECT read_at FROM notification_reads WHERE notification_id = @id", ("id", id));
        for (var i = 0; i < Repeats; i++)
        {
            await first.SendFrameAsync(new ReadFrame([id]), cts.Token);
        }

        await SentinelReadAsync(asesi, first, cts.Token);
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM notification_reads WHERE notification_id = @id", id), Is.EqualTo(1));
            Assert.That(await _system.Api.ScalarAsync<DateTime>("SELECT read_at FROM notification_reads WHERE notification_id = @id", ("id", id)), Is.EqualTo(firstRead));
        });
        await DeviceSessions.CloseAsync(first, cts.Token);

        for (var i = 0; i < Reconnects; i++)
        {
            var (device, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Web, cts.Token);
            await device.SendFrameAsync(new ReadFrame([id]), cts.Token);
            await DeviceSessions.CloseAsync(device, cts.Token);
        }

        var (last, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Web, cts.Token);
        using var _ = last;
        await SentinelReadAsync(asesi, last, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM notification_reads WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    [Test]
    [Description("A device that never acks is re-sent the notification each time it comes online: a written record per session up to the bound, then no more.")]
    public async Task Reconnecting_without_acking_stops_adding_written_records_at_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var id = await DeviceSessions.SendAsync(_system, asesi, "Jadwal asesmen", cts.Token);
        for (var i = 0; i < Reconnects; i++)
        {
            var (device, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Desktop, cts.Token);
            Assert.That((await DeviceSessions.ReceiveNotificationAsync(device, cts.Token)).Id, Is.EqualTo(id), "re-sent on coming online");
            await DeviceSessions.CloseAsync(device, cts.Token);
        }

        // Written records are flushed in order: once a later write to a new session is stored, the earlier ones are too.
        var (last, _) = await DeviceSessions.ConnectAsync(_system, asesi, DeviceClasses.Desktop, cts.Token);
        using var _ = last;
        await DeviceSessions.ReceiveNotificationAsync(last, cts.Token);
        var sentinel = await DeviceSessions.SendAsync(_system, asesi, "Sentinel", cts.Token);
        await DeviceSessions.ReceiveNotificationAsync(last, cts.Token);
        await DeviceSessions.WaitForCountAsync(_system, "SELECT count(*) FROM delivery_writes WHERE notification_id = @id", sentinel, 1, cts.Token);
        Assert.That(await CountAsync("SELECT count(*) FROM delivery_writes WHERE notification_id = @id", id), Is.EqualTo(OutboxStore.MaxRecordedSessions));
    }

    // Receipts are stored in the order the broker reported them: once a later ack is stored, the earlier ones were handled.
    private async Task SentinelAckAsync(TestUser user, System.Net.WebSockets.WebSocket device, CancellationToken ct)
    {
        var sentinel = await DeviceSessions.SendAsync(_system, user, "Sentinel", ct);
        await device.SendFrameAsync(new AckFrame([sentinel]), ct);
        await DeviceSessions.WaitForCountAsync(_system, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", sentinel, 1, ct);
    }

    // Reads are stored one frame after another: once a later read is stored, the earlier ones were handled.
    private async Task SentinelReadAsync(TestUser user, System.Net.WebSockets.WebSocket device, CancellationToken ct)
    {
        var sentinel = await DeviceSessions.SendAsync(_system, user, "Sentinel", ct);
        await device.SendFrameAsync(new ReadFrame([sentinel]), ct);
        await DeviceSessions.WaitForCountAsync(_system, "SELECT count(*) FROM notification_reads WHERE notification_id = @id", sentinel, 1, ct);
    }

    private Task<DateTime> AckedAtAsync(long id) =>
        _system.Api.ScalarAsync<DateTime>("SELECT acked_at FROM delivery_receipts WHERE notification_id = @id", ("id", id));

    private Task<long> CountAsync(string sql, long id) => _system.Api.ScalarAsync<long>(sql, ("id", id));
}
