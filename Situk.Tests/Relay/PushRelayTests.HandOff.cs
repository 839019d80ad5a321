using System.Diagnostics;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

/// <summary>
/// The push hand-off (docs/relay.md): a write's pushes go straight to this instance's broker link once committed, their
/// rows held from the relays, and the relays take over whatever the hand-off cannot or never gets to.
/// </summary>
public sealed partial class PushRelayTests
{
    // Far beyond every bound below: a push that arrives within them came by the hand-off, not by a relay's poll.
    private static readonly Dictionary<string, string?> OnlyTheHandOff = new()
    {
        ["Situk:Relay:HandOffHold"] = "00:10:00",
        ["Situk:Relay:PollInterval"] = "00:10:00",
    };

    [Test]
    [Description("Prompt: the device has the push within 2 s (the relays could not: its row is held for 10 min, and they poll every 10 min); the row is marked forwarded, and no relay was woken for it.")]
    public async Task A_handed_off_push_reaches_the_device_at_once_and_wakes_no_relay()
    {
        var relay = await StartRelayAsync(OnlyTheHandOff);
        var user = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(user, "android");
        await using var listener = await ListenAsync();

        var written = await WriteAsync(relay, user, inTransaction: false);
        using (var prompt = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            Assert.That((await device.ReceiveNotificationAsync(prompt.Token)).Id, Is.EqualTo(written.Ids[0]));
        }

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_db, "SELECT state FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }) == "forwarded",
            "the row is marked forwarded",
            timeoutSeconds: 2);
        Assert.Multiple(async () =>
        {
            Assert.That(await RelayData.ScalarAsync<int>(_db, "SELECT attempts FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }), Is.EqualTo(1));
            Assert.That(
                await RelayData.ScalarAsync<bool>(_db, "SELECT forwarded_at >= created_at AND forwarded_at <= clock_timestamp() FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }),
                Is.True,
                "forwarded_at lies between the row's creation and now");
            Assert.That(await listener.WaitAsync(TimeSpan.FromMilliseconds(300)), Is.False, "a held row woke the relays");
        });

        // The control: a row written due wakes them, so the listener above would have heard one.
        await RelayData.NotifyAsync(_db, user);
        Assert.That(await listener.WaitAsync(TimeSpan.FromSeconds(2)), Is.True, "a due row woke no relay");
    }

    [Test]
    [Description("Written inside a transaction, a push goes nowhere until the caller commits and hands it off; a rolled-back write is never pushed.")]
    public async Task A_push_in_a_transaction_goes_only_once_committed_and_handed_off()
    {
        var relay = await StartRelayAsync(OnlyTheHandOff);
        var user = await RelayData.CreateUserAsync(_db);
        // Two sessions of the user: the first watches for a push before the commit (its wait ends the socket), the second after.
        var before = await ConnectAsync(user);
        var after = await ConnectAsync(user);
        var handOff = relay.Service<PushHandOff>();

        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        await using (var rolledBack = await c.BeginTransactionAsync(Ct))
        {
            var dropped = await NotificationWriter.AddAsync(c, rolledBack, [Message(user, "batal")], handOff, Ct);
            Assert.That(dropped.Pushes, Has.Count.EqualTo(1));
            await rolledBack.RollbackAsync(Ct);
        }

        await using var tx = await c.BeginTransactionAsync(Ct);
        var written = await NotificationWriter.AddAsync(c, tx, [Message(user, "jadi")], handOff, Ct);
        Assert.That(await ReceiveIdsUntilQuietAsync(before, TimeSpan.FromMilliseconds(500)), Is.Empty, "pushed before its commit");
        await tx.CommitAsync(Ct);
        handOff.Send(written.Pushes);

        // Distinct: a presence re-send of the connect, late on a busy machine, may repeat an id (at-least-once to devices).
        Assert.That((await ReceiveIdsUntilQuietAsync(after, TimeSpan.FromSeconds(1))).Distinct(), Is.EqualTo(written.Ids));
    }

    [Test]
    [Description("The instance died between its commit and the hand-off: the held row stays pending for its hold, then a relay forwards it, once.")]
    public async Task A_push_never_handed_off_is_forwarded_by_the_relays_after_its_hold()
    {
        var hold = TimeSpan.FromSeconds(1.5);
        var relay = await StartRelayAsync(new() { ["Situk:Relay:HandOffHold"] = "00:00:01.500", ["Situk:Relay:PollInterval"] = "00:00:00.250" });
        var user = await RelayData.CreateUserAsync(_db);

        var written = await WriteAsync(relay, user, inTransaction: true, handOff: false);
        var committed = Stopwatch.StartNew();
        const string Row = "SELECT state FROM push_outbox WHERE notification_id = @id";
        await Task.Delay(hold - TimeSpan.FromMilliseconds(500), Ct);
        Assert.That(await RelayData.ScalarAsync<string>(_db, Row, new { id = written.Ids[0] }), Is.EqualTo("pending"), "a relay took a held row");
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_db, Row, new { id = written.Ids[0] }) == "forwarded",
            "a relay forwards the row after its hold",
            timeoutSeconds: 4);
        Assert.Multiple(async () =>
        {
            Assert.That(committed.Elapsed, Is.LessThan(hold + TimeSpan.FromSeconds(2)), "the relays took far longer than the hold and a poll");
            Assert.That(await RelayData.ScalarAsync<int>(_db, "SELECT attempts FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }), Is.EqualTo(1));
            Assert.That(
                await RelayData.ScalarAsync<double>(_db, "SELECT extract(epoch FROM forwarded_at - created_at) FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }),
                Is.GreaterThanOrEqualTo(hold.TotalSeconds - 0.05),
                "forwarded before its hold had passed");
        });
    }

    [Test]
    [Description("Link down: the hand-off releases the row to the relays at once (due, attempts untouched), and the relays push it once the broker is back.")]
    public async Task While_the_link_is_down_a_handed_off_push_is_released_to_the_relays_at_once()
    {
        await _broker.StopAsync(Ct);
        _brokerStopped = true;
        var relay = await StartRelayAsync(OnlyTheHandOff);
        var user = await RelayData.CreateUserAsync(_db);

        var written = await WriteAsync(relay, user, inTransaction: false);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<bool>(_db, "SELECT state = 'pending' AND attempts = 0 AND next_attempt_at <= clock_timestamp() FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }),
            "the held row is due again",
            timeoutSeconds: 2);

        await _broker.RestartAsync(Ct);
        _brokerStopped = false;
        var device = await ConnectAsync(user);
        Assert.That(await ReceiveIdsAsync(device, 1), Is.EqualTo(written.Ids));
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_db, "SELECT state FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }) == "forwarded",
            "the row is forwarded");
    }

    [Test]
    [Description("A write to more users than a relay batch (a role, everyone) is not held: the relays push it, a batch at a time; up to a batch is held for the hand-off.")]
    public async Task A_write_larger_than_a_batch_is_left_to_the_relays()
    {
        var relay = await StartRelayAsync(new() { ["Situk:Relay:HandOffHold"] = "00:10:00", ["Situk:Relay:BatchSize"] = "2" });
        var handOff = relay.Service<PushHandOff>();
        var users = new[] { await RelayData.CreateUserAsync(_db), await RelayData.CreateUserAsync(_db), await RelayData.CreateUserAsync(_db) };
        var devices = new List<System.Net.WebSockets.ClientWebSocket>();
        foreach (var user in users)
        {
            devices.Add(await ConnectAsync(user));
        }

        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        var three = await NotificationWriter.AddAsync(c, null, users.Select(u => Message(u, "semua")), handOff, Ct);
        Assert.That(three.Pushes, Is.Empty);
        Assert.That(
            await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE notification_id = ANY(@ids) AND next_attempt_at > clock_timestamp()", new { ids = three.Ids.ToArray() }),
            Is.Zero,
            "rows of a large write were held");
        for (var i = 0; i < users.Length; i++)
        {
            Assert.That((await devices[i].ReceiveNotificationAsync(Ct)).Id, Is.EqualTo(three.Ids[i]));
        }

        var two = await NotificationWriter.AddAsync(c, null, users.Take(2).Select(u => Message(u, "dua")), handOff, Ct);
        Assert.That(two.Pushes.Select(p => p.Id), Is.EqualTo(two.Ids));
    }

    [Test]
    [Description("A full queue never makes the request wait: what it cannot take is counted and pushed by the relays after its hold, each row forwarded once.")]
    public async Task A_full_queue_leaves_the_rest_to_the_relays()
    {
        var relay = await StartRelayAsync(new()
        {
            ["Situk:Relay:HandOffHold"] = "00:00:01",
            ["Situk:Relay:HandOffCapacity"] = "1",
            ["Situk:Relay:PollInterval"] = "00:00:00.250",
        });
        var handOff = relay.Service<PushHandOff>();
        var user = await RelayData.CreateUserAsync(_db);
        var device = await ConnectAsync(user);

        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        var pushes = new List<NotificationRow>();
        var ids = new List<long>();
        await using (var tx = await c.BeginTransactionAsync(Ct))
        {
            for (var i = 0; i < 50; i++)
            {
                var written = await NotificationWriter.AddAsync(c, tx, [Message(user, $"ke-{i}")], handOff, Ct);
                pushes.AddRange(written.Pushes);
                ids.AddRange(written.Ids);
            }

            await tx.CommitAsync(Ct);
        }

        var sending = Stopwatch.StartNew();
        handOff.Send(pushes);
        Assert.That(sending.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(500)), "Send waited for room");
        Assert.That(handOff.Overflowed, Is.GreaterThan(0));

        var received = await ReceiveIdsUntilQuietAsync(device, TimeSpan.FromSeconds(3));
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE state = 'forwarded'") == 50,
            "every row is forwarded",
            timeoutSeconds: 5);
        Assert.Multiple(async () =>
        {
            Assert.That(received.Distinct(), Is.EquivalentTo(ids), "each push reached the device");
            Assert.That(await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM push_outbox WHERE attempts <> 1"), Is.Zero, "a row was forwarded twice");
        });
    }

    [Test]
    [Description("A publish that throws something unforeseen (a carrier's own cancellation, a bug) costs that push a trip through the relays, never the hand-off's loop or the host.")]
    public async Task A_publish_that_throws_releases_the_row_and_the_hand_off_goes_on()
    {
        await using var dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        var options = Microsoft.Extensions.Options.Options.Create(new RelayOptions { HandOffHold = TimeSpan.FromMinutes(10) });
        var handOff = new PushHandOff(
            dataSource,
            new ThrowingTransport(),
            new PullPolicy(Microsoft.Extensions.Options.Options.Create(new PullOptions())),
            options,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PushHandOff>.Instance);
        await handOff.StartAsync(Ct);
        try
        {
            var user = await RelayData.CreateUserAsync(_db);
            await using var c = await dataSource.OpenConnectionAsync(Ct);
            foreach (var title in new[] { "pertama", "kedua" })
            {
                var written = await NotificationWriter.AddAsync(c, null, [Message(user, title)], handOff, Ct);
                await RelayData.EventuallyAsync(
                    async () => await RelayData.ScalarAsync<bool>(_db, "SELECT next_attempt_at <= clock_timestamp() FROM push_outbox WHERE notification_id = @id", new { id = written.Ids[0] }),
                    $"the row of \"{title}\" is released to the relays",
                    timeoutSeconds: 2);
            }

            Assert.That(handOff.ExecuteTask, Is.Not.Null.And.Property(nameof(Task.IsCompleted)).False, "the hand-off's loop ended");
        }
        finally
        {
            await handOff.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A carrier that is up and throws on every publish, as NATS.Net did when it cancelled its pending pings.</summary>
    private sealed class ThrowingTransport : IBrokerTransport
    {
        public BrokerLinkState State => BrokerLinkState.Connected;

        public string? LastError => null;

        public Task WaitUntilConnectedAsync(CancellationToken ct) => Task.CompletedTask;

        public Task PublishAsync(Audience to, PushNotification notification, CancellationToken ct) =>
            Task.FromException(new OperationCanceledException("the carrier cancelled it"));

        public bool TrySendReadSync(ReadSyncFrame frame) => false;
    }

    private static NewNotification Message(long user, string title) => new(user, NotificationKinds.AdminMessage, title, "Isi pesan.", "/me");

    /// <summary>One admin message to <paramref name="user"/>, its push held for the hand-off; handed off after the commit unless told not to.</summary>
    private async Task<WrittenNotifications> WriteAsync(RelayHost relay, long user, bool inTransaction, bool handOff = true)
    {
        var pushes = relay.Service<PushHandOff>();
        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        if (!inTransaction)
        {
            return await NotificationWriter.AddAsync(c, null, [Message(user, "Pesan")], pushes, Ct);
        }

        await using var tx = await c.BeginTransactionAsync(Ct);
        var written = await NotificationWriter.AddAsync(c, tx, [Message(user, "Pesan")], pushes, Ct);
        Assert.That(written.Pushes, Has.Count.EqualTo(1));
        await tx.CommitAsync(Ct);
        if (handOff)
        {
            pushes.Send(written.Pushes);
        }

        return written;
    }

    private async Task<PushListener> ListenAsync()
    {
        var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync(Ct);
        await using (var listen = new NpgsqlCommand("LISTEN " + PushRelay.Channel, connection))
        {
            await listen.ExecuteNonQueryAsync(Ct);
        }

        return new PushListener(connection);
    }

    /// <summary>A LISTEN on the push relays' channel, as a relay holds it.</summary>
    private sealed class PushListener(NpgsqlConnection connection) : IAsyncDisposable
    {
        /// <summary>True when a NOTIFY arrived within <paramref name="timeout"/>.</summary>
        public Task<bool> WaitAsync(TimeSpan timeout) => connection.WaitAsync(timeout);

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
