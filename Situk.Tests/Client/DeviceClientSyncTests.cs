using System.Net.Http.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Client;

[Description("Situk.Client against the whole system: what another device already received comes through the inbox sync, once.")]
public sealed class DeviceClientSyncTests : WholeSystemTests
{
    [Test]
    [Description("Delivered notifications are not pushed again, so a second device only learns of them by syncing.")]
    public async Task A_new_device_syncs_what_another_device_already_received()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using (var phone = await Stack.ConnectDeviceAsync(user, cts.Token))
        {
            await SendAsync(user, 3, cts.Token);

            // The relay may push one twice (its presence re-send races the first push): a device drops
            // repeats by id, so read until three distinct ids are acked.
            var acked = new HashSet<long>();
            while (acked.Count < 3)
            {
                var n = await phone.ReceiveNotificationAsync(cts.Token);
                await phone.SendFrameAsync(new AckFrame([n.Id]), cts.Token);
                acked.Add(n.Id);
            }

            await WaitUntilAsync(async () => await Stack.Api.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @id AND delivered_at IS NULL", ("id", user.Id)) == 0, cts.Token);
        }

        await using var laptop = NewClient(user);
        laptop.Start();
        var synced = new List<ReceivedNotification>();
        for (var i = 0; i < 3; i++)
        {
            synced.Add(await laptop.Notifications.ReadAsync(cts.Token));
        }

        Assert.Multiple(() =>
        {
            Assert.That(synced.Select(n => n.Synced), Is.All.True);
            Assert.That(synced.Select(n => n.Id), Is.Ordered.Ascending.And.Unique);
            Assert.That(laptop.LastId, Is.EqualTo(synced[^1].Id));
        });
    }

    [Test]
    [Description("After a reconnect the client asks the inbox for everything after the last id; nothing arrives twice.")]
    public async Task After_a_broker_restart_the_client_has_every_notification_once()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var client = NewClient(user);
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        await SendAsync(user, 2, cts.Token);
        var received = new List<long> { (await client.Notifications.ReadAsync(cts.Token)).Id, (await client.Notifications.ReadAsync(cts.Token)).Id };

        await Stack.Broker.StopAsync(cts.Token);
        await SendAsync(user, 2, cts.Token);
        await Stack.RestartBrokerAsync(cts.Token);
        received.Add((await client.Notifications.ReadAsync(cts.Token)).Id);
        received.Add((await client.Notifications.ReadAsync(cts.Token)).Id);

        var stored = (await Stack.Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @id", ("id", user.Id)));
        await Task.Delay(300, cts.Token); // room for a stray duplicate to show up, had it not been dropped
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.Unique);
            Assert.That(received, Has.Count.EqualTo(stored));
            Assert.That(client.Notifications.TryRead(out _), Is.False, "nothing arrives twice");
        });
    }

    [Test]
    public async Task Marking_read_on_one_client_raises_read_on_the_other()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var phone = NewClient(user);
        await using var laptop = NewClient(user);
        var readOnLaptop = new TaskCompletionSource<IReadOnlyList<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        laptop.Read += ids => readOnLaptop.TrySetResult(ids);
        phone.Start();
        laptop.Start();
        await phone.WaitForStateAsync(ClientState.Open, cts.Token);
        await laptop.WaitForStateAsync(ClientState.Open, cts.Token);
        await SendAsync(user, 1, cts.Token);
        var shown = await phone.Notifications.ReadAsync(cts.Token);

        Assert.That(await phone.MarkReadAsync([shown.Id], cts.Token), Is.True);

        Assert.That(await readOnLaptop.Task.WaitAsync(cts.Token), Is.EqualTo(new[] { shown.Id }));
    }

    private SitukDeviceClient NewClient(TestUser user) => new(new SitukClientOptions
    {
        BrokerUrl = Stack.Broker.DeviceUri,
        ApiUrl = Stack.Api.BaseAddress,
        TokenProvider = _ => ValueTask.FromResult(Stack.Api.IssueToken(user.Id, user.Role)),
        DeviceClass = DeviceClasses.Desktop,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    });

    private async Task SendAsync(TestUser user, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            using var sent = await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
                new { to = new { userIds = new[] { user.Id } }, title = $"Pesan {i}", body = "Isi." }, ct);
            sent.EnsureSuccessStatusCode();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
