using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Internal;

[Description("Read state across a user's devices: a device's read frame reaches the API links; a read sync reaches the user's other sessions.")]
public sealed class ReadSyncTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task A_read_frame_from_a_device_reaches_the_api_link()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var (phone, welcome) = await _broker.ConnectDeviceWithWelcomeAsync("reader-1", cancellationToken: cts.Token);
        using (phone)
        {
            await phone.SendFrameAsync(new ReadFrame([41, 42]), cts.Token);
            var read = await link.ReceiveInternalAsync<DeviceReadFrame>(null, cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(read.UserId, Is.EqualTo("reader-1"));
                Assert.That(read.SessionId, Is.EqualTo(welcome.SessionId));
                Assert.That(read.Ids, Is.EqualTo(new long[] { 41, 42 }));
            });
        }
    }

    [Test]
    public async Task A_read_sync_reaches_the_users_other_sessions_but_not_the_one_that_read()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var (phone, phoneWelcome) = await _broker.ConnectDeviceWithWelcomeAsync("reader-2", cancellationToken: cts.Token);
        var (laptop, _) = await _broker.ConnectDeviceWithWelcomeAsync("reader-2", cancellationToken: cts.Token);
        using (phone)
        using (laptop)
        {
            await link.SendFrameAsync(new ReadSyncFrame("reader-2", [7], phoneWelcome.SessionId), cts.Token);
            // Then a notification to both: the phone's next frame must be that, not a read.
            await link.SendFrameAsync(new PublishFrame(1, Audience.Users("reader-2"),
                new PushNotification(8, NotificationKinds.AdminMessage, "t", "b", null, null, DateTimeOffset.UtcNow)), cts.Token);

            var onLaptop = await laptop.ReceiveDeviceFrameAsync(cts.Token);
            var onPhone = await phone.ReceiveDeviceFrameAsync(cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(onLaptop, Is.TypeOf<ReadFrame>());
                Assert.That(((ReadFrame)onLaptop).Ids, Is.EqualTo(new long[] { 7 }));
                Assert.That(onPhone, Is.TypeOf<NotificationFrame>());
            });
        }
    }

    [Test]
    public async Task A_read_frame_with_too_many_ids_is_closed_with_1008()
    {
        using var cts = Timeouts.Generous();
        var (phone, _) = await _broker.ConnectDeviceWithWelcomeAsync("reader-3", cancellationToken: cts.Token);
        using (phone)
        {
            await phone.SendFrameAsync(new ReadFrame(Enumerable.Range(1, 257).Select(i => (long)i).ToArray()), cts.Token);
            Assert.That(await phone.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
        }
    }
}
