using System.Globalization;
using System.Net.WebSockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

/// <summary>The push relay, receipts and presence against the REAL broker and a real PostgreSQL.</summary>
[TestFixture]
[NonParallelizable]
public sealed partial class PushRelayTests
{
    private TestDatabase _db = null!;
    private BrokerFixture _broker = null!;
    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly List<ClientWebSocket> _devices = [];
    private CancellationTokenSource _timeout = null!;
    private bool _brokerStopped;

    private CancellationToken Ct => _timeout.Token;

    [SetUp]
    public async Task SetUp()
    {
        _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _db = await TestDatabase.CreateAsync();
        _broker = await BrokerFixture.StartAsync();
        _brokerStopped = false;
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var device in _devices)
        {
            device.Abort();
            device.Dispose();
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _broker.DisposeAsync();
        await _db.DisposeAsync();
        _timeout.Dispose();
    }

    [Test]
    public async Task A_connected_device_receives_each_new_notification_and_its_ack_marks_it_delivered()
    {
        await StartRelayAsync();
        var user = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(user, "android");

        var ids = await RelayData.NotifyAsync(_db, user, 5);
        var received = await ReceiveIdsAsync(device, ids.Length);
        Assert.That(received, Is.EquivalentTo(ids));

        await device.SendFrameAsync(new AckFrame(ids), Ct);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM notifications WHERE user_id = @user AND delivered_at IS NOT NULL", new { user }) == 5,
            "every acked notification has delivered_at");
        Assert.Multiple(async () =>
        {
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM delivery_receipts WHERE user_id = @user", new { user }), Is.EqualTo(5));
            Assert.That(await RelayData.ScalarAsync<string>(_db, "SELECT min(delivered_device_class) FROM notifications WHERE user_id = @user", new { user }), Is.EqualTo("android"));
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'"), Is.EqualTo(5));
        });
    }

    [Test]
    [Description("The outbox grows while the broker is down; once it starts, everything arrives and the inbox holds each notification once.")]
    public async Task Notifications_created_while_the_broker_is_down_are_delivered_once_it_starts()
    {
        await _broker.StopAsync(Ct);
        _brokerStopped = true;
        var relay = await StartRelayAsync();
        var user = await RelayData.CreateUserAsync(_db);
        var ids = await RelayData.NotifyAsync(_db, user, 8);

        var health = await relay.Service<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.That(health.Entries["broker"].Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'pending'"), Is.EqualTo(8));

        await _broker.RestartAsync(Ct);
        _brokerStopped = false;
        var device = await ConnectAsync(user);
        Assert.That(await ReceiveIdsAsync(device, ids.Length), Is.EquivalentTo(ids));
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'") == 8,
            "every outbox row is forwarded");
        health = await relay.Service<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Multiple(async () =>
        {
            Assert.That(health.Entries["broker"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM notifications"), Is.EqualTo(8));
        });
    }

    [Test]
    [Description("Presence: a user who was offline while rows were created and forwarded receives them on connecting.")]
    public async Task An_offline_user_receives_pending_notifications_on_connecting()
    {
        await StartRelayAsync();
        var user = await RelayData.CreateUserAsync(_db);
        var ids = await RelayData.NotifyAsync(_db, user, 3);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'") == 3,
            "the rows are forwarded while the user is offline");

        var device = await ConnectAsync(user);
        Assert.That(await ReceiveIdsAsync(device, 3), Is.EquivalentTo(ids));
    }

    [Test]
    [Description("Push switched off for a group: its notifications stay in the inbox, and the presence re-send does not push them either when the user comes online.")]
    public async Task A_notification_written_while_its_push_was_off_is_not_pushed_on_connecting()
    {
        await StartRelayAsync();
        var user = await RelayData.CreateUserAsync(_db);
        await RelayData.ScalarAsync<long>(_db, "INSERT INTO notification_preferences (user_id, kind_group, push, email) VALUES (@user, 'registration', false, true) RETURNING 1", new { user });
        long quiet, pushed;
        await using (var c = _db.Open())
        await using (var tx = await c.BeginTransactionAsync(Ct))
        {
            var ids = await Situk.Api.Notifications.NotificationWriter.AddAsync(c, tx, [
                new Situk.Api.Notifications.NewNotification(user, NotificationKinds.RegistrationVerified, "Diverifikasi", "APL-01 diverifikasi.", null),
                new Situk.Api.Notifications.NewNotification(user, NotificationKinds.AdminMessage, "Pesan", "Pesan admin.", null),
            ], Ct);
            await tx.CommitAsync(Ct);
            (quiet, pushed) = (ids[0], ids[1]);
        }

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'") == 1,
            "the pushed one is forwarded while the user is offline");
        var device = await ConnectAsync(user);
        var received = await ReceiveIdsAsync(device, 1);
        var extra = await ReceiveIdsUntilQuietAsync(device, TimeSpan.FromSeconds(2));

        Assert.That(received.Concat(extra).Distinct(), Is.EqualTo(new[] { pushed }), $"{quiet} stays in the inbox only");
    }

    [Test]
    [Description("Two API instances on one database: SKIP LOCKED gives each outbox row to one relay, once.")]
    public async Task Two_relay_hosts_forward_each_outbox_row_exactly_once()
    {
        await StartRelayAsync();
        await StartRelayAsync();
        var user = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(user);

        var ids = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            ids.AddRange(await RelayData.NotifyAsync(_db, user, 4));
        }

        var received = await ReceiveIdsAsync(device, ids.Count);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'") == ids.Count,
            "every row is forwarded");
        var extra = await ReceiveIdsUntilQuietAsync(device, TimeSpan.FromSeconds(2));

        Assert.Multiple(async () =>
        {
            // Each row forwarded once is what SKIP LOCKED promises; the device may still see an id twice, when
            // the presence re-send of its connect runs late on a busy machine (at-least-once to devices).
            Assert.That(received.Concat(extra).Distinct(), Is.EquivalentTo(ids), "each id reached the device");
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE attempts <> 1"), Is.Zero, "each row was forwarded by one relay, once");
        });
    }

    [Test]
    [Description("A device must not ack another user's notification.")]
    public async Task An_ack_for_another_users_notification_is_ignored()
    {
        await StartRelayAsync();
        var alice = await RelayData.CreateUserAsync(_db);
        var bob = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(alice);
        var mine = await RelayData.NotifyAsync(_db, alice);
        var bobs = await RelayData.NotifyAsync(_db, bob);
        await ReceiveIdsAsync(device, 1);

        await device.SendFrameAsync(new AckFrame([bobs[0], -5, mine[0]]), Ct);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM notifications WHERE id = @id AND delivered_at IS NOT NULL", new { id = mine[0] }) == 1,
            "alice's own ack is stored");
        Assert.Multiple(async () =>
        {
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM notifications WHERE id = @id AND delivered_at IS NOT NULL", new { id = bobs[0] }), Is.Zero);
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", new { id = bobs[0] }), Is.Zero);
        });
    }

    [Test]
    [Description("pg_terminate_backend of the LISTEN session: the listener reconnects and a later insert is still relayed (no fallback poll in this test).")]
    public async Task The_listen_connection_recovers_after_its_backend_is_terminated()
    {
        await StartRelayAsync(new() { ["Situk:Relay:PollInterval"] = "00:10:00" });
        var user = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(user);
        var first = await RelayData.NotifyAsync(_db, user);
        Assert.That(await ReceiveIdsAsync(device, 1), Is.EquivalentTo(first));

        const string listener = "situk-relay-listen:situk_push_outbox";
        var oldPid = await RelayData.ScalarAsync<int>(_db, "SELECT pid FROM pg_stat_activity WHERE application_name = @listener AND datname = current_database()", new { listener });
        Assert.That(await RelayData.ScalarAsync<bool>(_db, "SELECT pg_terminate_backend(@oldPid)", new { oldPid }), Is.True);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = @listener AND pid <> @oldPid AND datname = current_database()", new { listener, oldPid }) == 1,
            "a new LISTEN session is open");

        var second = await RelayData.NotifyAsync(_db, user);
        // A re-send of the first id (presence, when the link opened after the device) is dropped, as devices do.
        Assert.That(await ReceiveIdsAsync(device, 1, ignore: first), Is.EquivalentTo(second));
    }

    private async Task<RelayHost> StartRelayAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = RelayHost.Defaults(_broker.InternalUri.ToString(), _broker.InternalKey, PostgresServer.FreeTcpPort());
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        var host = await RelayHost.StartAsync(_db.ConnectionString, settings);
        _hosts.Add(host);
        if (!_brokerStopped)
        {
            // Linked before devices connect, so the broker's "online users" frame cannot race the test's inserts.
            await host.Service<Situk.Api.Relay.BrokerLink>().WaitUntilConnectedAsync(Ct);
        }

        return host;
    }

    private async Task<ClientWebSocket> ConnectAsync(long userId, string? device = null)
    {
        var socket = await _broker.ConnectDeviceAsync(userId.ToString(CultureInfo.InvariantCulture), device: device, cancellationToken: Ct);
        _devices.Add(socket);
        await socket.ReceiveWelcomeAsync(Ct);
        return socket;
    }

    /// <summary>Reads notification frames until <paramref name="distinct"/> different ids arrived; returns them (duplicates dropped, as devices do).</summary>
    private async Task<List<long>> ReceiveIdsAsync(ClientWebSocket device, int distinct, long[]? ignore = null)
    {
        var ids = new List<long>();
        while (ids.Count < distinct)
        {
            var frame = await device.ReceiveNotificationAsync(Ct);
            if (!ids.Contains(frame.Id) && ignore?.Contains(frame.Id) != true)
            {
                ids.Add(frame.Id);
            }
        }

        return ids;
    }

    /// <summary>Every notification id (duplicates kept) that arrives until the socket stays quiet for <paramref name="quiet"/>.</summary>
    private async Task<List<long>> ReceiveIdsUntilQuietAsync(ClientWebSocket device, TimeSpan quiet)
    {
        var ids = new List<long>();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        window.CancelAfter(quiet);
        try
        {
            while (true)
            {
                ids.Add((await device.ReceiveNotificationAsync(window.Token)).Id);
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return ids;
        }
    }
}
