using System.Net;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.EndToEnd;

[Description("Read on one device, or through REST, reaches the user's other devices and the stored inbox.")]
public sealed class ReadSyncEndToEndTests : WholeSystemTests
{
    [Test]
    public async Task Read_on_the_phone_reaches_the_laptop_and_is_stored()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var phone = await Stack.ConnectDeviceAsync(user, cts.Token);
        using var laptop = await Stack.ConnectDeviceAsync(user, cts.Token);
        var id = await SendAndReceiveAsync(user, phone, laptop, cts.Token);

        await phone.SendFrameAsync(new ReadFrame([id]), cts.Token);
        var onLaptop = await NextFrameAsync(laptop, cts.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(onLaptop, Is.TypeOf<ReadFrame>());
            Assert.That(((ReadFrame)onLaptop).Ids, Is.EqualTo(new[] { id }));
            Assert.That(await Stack.Api.ScalarAsync<bool>("SELECT read_at IS NOT NULL FROM notifications WHERE id = @id", ("id", id)), Is.True);
        });
    }

    [Test]
    public async Task Read_through_rest_reaches_every_device()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var phone = await Stack.ConnectDeviceAsync(user, cts.Token);
        using var laptop = await Stack.ConnectDeviceAsync(user, cts.Token);
        var id = await SendAndReceiveAsync(user, phone, laptop, cts.Token);

        using var marked = await user.Client.PostAsync($"api/v1/me/notifications/{id}/read", null, cts.Token);
        Assert.That(marked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        foreach (var device in new[] { phone, laptop })
        {
            var frame = await NextFrameAsync(device, cts.Token);
            Assert.That(frame, Is.TypeOf<ReadFrame>().With.Property(nameof(ReadFrame.Ids)).EqualTo(new[] { id }));
        }
    }

    [Test]
    public async Task Read_all_through_rest_reaches_every_device_with_the_newly_read_ids()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var phone = await Stack.ConnectDeviceAsync(user, cts.Token);
        using var laptop = await Stack.ConnectDeviceAsync(user, cts.Token);
        var first = await SendAndReceiveAsync(user, phone, laptop, cts.Token);
        var second = await SendAndReceiveAsync(user, phone, laptop, cts.Token);

        using var marked = await user.Client.PostAsync("api/v1/me/notifications/read-all", null, cts.Token);
        Assert.That(marked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        foreach (var device in new[] { phone, laptop })
        {
            var frame = await NextFrameAsync(device, cts.Token);
            Assert.That(frame, Is.TypeOf<ReadFrame>().With.Property(nameof(ReadFrame.Ids)).EqualTo(new[] { first, second }));
        }
    }

    [Test]
    [Description("A device must not mark another user's notification read.")]
    public async Task A_read_frame_for_someone_elses_notification_changes_nothing()
    {
        using var cts = Timeouts.Generous();
        var owner = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var other = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var ownerDevice = await Stack.ConnectDeviceAsync(owner, cts.Token);
        using var otherDevice = await Stack.ConnectDeviceAsync(other, cts.Token);
        var id = await SendAndReceiveAsync(owner, ownerDevice, ownerDevice, cts.Token);

        await otherDevice.SendFrameAsync(new ReadFrame([id]), cts.Token);
        // A read of its own afterwards proves the first was handled (reads are handled in order).
        var own = await SendAndReceiveAsync(other, otherDevice, otherDevice, cts.Token);
        await otherDevice.SendFrameAsync(new ReadFrame([own]), cts.Token);
        while (!await Stack.Api.ScalarAsync<bool>("SELECT read_at IS NOT NULL FROM notifications WHERE id = @id", ("id", own)))
        {
            await Task.Delay(50, cts.Token);
        }

        Assert.That(await Stack.Api.ScalarAsync<bool>("SELECT read_at IS NULL FROM notifications WHERE id = @id", ("id", id)), Is.True);
    }

    /// <summary>
    /// The next frame that is not a notification. These tests send nothing after <see cref="SendAndReceiveAsync"/>, so a
    /// notification here is one the device already has: the presence re-send of a device's connect pushes it again when it
    /// runs after the notification's commit (at-least-once; devices drop a repeated id).
    /// </summary>
    private static async Task<DeviceFrame> NextFrameAsync(System.Net.WebSockets.WebSocket device, CancellationToken ct)
    {
        while (true)
        {
            var frame = await device.ReceiveDeviceFrameAsync(ct);
            if (frame is not NotificationFrame)
            {
                return frame;
            }
        }
    }

    private async Task<long> SendAndReceiveAsync(TestUser user, System.Net.WebSockets.WebSocket first, System.Net.WebSockets.WebSocket second, CancellationToken ct)
    {
        using var sent = await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { user.Id } }, title = "Baca saya", body = "Read me." }, ct);
        sent.EnsureSuccessStatusCode();
        var n = await first.ReceiveNotificationAsync(ct);
        if (!ReferenceEquals(first, second))
        {
            await second.ReceiveNotificationAsync(ct);
        }

        return n.Id;
    }
}
