using System.Net.WebSockets;
using Dapper;
using Situk.Broker.Cluster;
using Situk.Contracts;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

/// <summary>
/// Two brokers and two API instances on one real nats-server and one database: notifications go only to
/// the brokers that hold their users, receipts and reads come back through whichever API instance takes
/// them, and a device coming online gets what is pending once.
/// </summary>
[NonParallelizable]
public sealed class ClusterRoutingTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);
    private ClusterSystem _cluster = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _cluster = await ClusterSystem.StartAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    [Test]
    [CancelAfter(60_000)]
    [Description("A notification written by the API reaches the user's device on broker B once, and broker A, which holds no session of that user, receives no message for them.")]
    public async Task A_notification_reaches_the_broker_holding_the_user_once_and_no_other_broker(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        var bystander = await RelayData.CreateUserAsync(_cluster.Database);
        using var onB = await _cluster.ConnectSettledAsync(_cluster.B, user, ct);
        using var onA = await _cluster.ConnectSettledAsync(_cluster.A, bystander, ct);
        var countersA = _cluster.A.Service<ClusterCounters>();
        var userMessagesOnA = countersA.UserMessages;
        var natsToA = await _cluster.Nats.MessagesSentToAsync("broker-a", "", ct);

        var ids = await RelayData.NotifyAsync(_cluster.Database, user, count: 3);

        foreach (var id in ids)
        {
            Assert.That((await onB.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        }

        Assert.That(await NothingArrivesAsync(onB, ct), Is.True, "a notification arrived twice on broker B");
        Assert.That(await NothingArrivesAsync(onA, ct), Is.True, "the bystander on broker A got another user's notification");
        Assert.That(countersA.UserMessages, Is.EqualTo(userMessagesOnA), "broker A received user messages for a user it holds no session of");
        Assert.That(await _cluster.Nats.MessagesSentToAsync("broker-a", "", ct), Is.EqualTo(natsToA), "the NATS server sent broker A messages");
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("A user with one device on each broker gets the notification on both, and both devices' receipts are stored.")]
    public async Task A_user_on_two_brokers_gets_it_on_both_and_both_receipts_are_stored(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        using var onA = await _cluster.ConnectSettledAsync(_cluster.A, user, ct);
        using var onB = await _cluster.ConnectSettledAsync(_cluster.B, user, ct, onA);

        var id = (await RelayData.NotifyAsync(_cluster.Database, user)).Single();

        Assert.That((await onA.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        Assert.That((await onB.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        await onA.SendTextAsync($$"""{"type":"ack","ids":[{{id}}]}""", ct);
        await onB.SendTextAsync($$"""{"type":"ack","ids":[{{id}}]}""", ct);

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_cluster.Database, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", new { id }) == 2,
            "both brokers' receipts are stored");
        Assert.That(await RelayData.ScalarAsync<bool>(_cluster.Database, "SELECT delivered_at IS NOT NULL FROM notifications WHERE id = @id", new { id }), Is.True);
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("A notification forwarded while its user had no session anywhere reaches the device that then comes online on broker B, once, though two API instances listen for presence.")]
    public async Task A_device_coming_online_on_another_broker_gets_what_is_pending_once(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        var id = (await RelayData.NotifyAsync(_cluster.Database, user)).Single();
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_cluster.Database, "SELECT state FROM push_outbox WHERE notification_id = @id", new { id }) == "forwarded",
            "the outbox row is forwarded with nobody online");

        using var onB = await _cluster.ConnectAsync(_cluster.B, user, ct);

        Assert.That((await onB.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        Assert.That(await NothingArrivesAsync(onB, ct), Is.True, "the pending notification was re-sent more than once");
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("A read on a device on broker A is stored and reaches the user's session on broker B, not the reading session.")]
    public async Task A_read_on_one_broker_reaches_the_session_on_the_other(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        using var onA = await _cluster.ConnectSettledAsync(_cluster.A, user, ct);
        using var onB = await _cluster.ConnectSettledAsync(_cluster.B, user, ct, onA);
        var id = (await RelayData.NotifyAsync(_cluster.Database, user)).Single();
        await onA.ReceiveNotificationAsync(ct);
        await onB.ReceiveNotificationAsync(ct);

        await onA.SendTextAsync($$"""{"type":"read","ids":[{{id}}]}""", ct);

        var read = await onB.ReceiveDeviceFrameAsync(ct);
        Assert.That(read, Is.TypeOf<ReadFrame>());
        Assert.That(((ReadFrame)read).Ids, Is.EqualTo(new[] { id }));
        Assert.That(await RelayData.ScalarAsync<bool>(_cluster.Database, "SELECT read_at IS NOT NULL FROM notifications WHERE id = @id", new { id }), Is.True);
        Assert.That(await NothingArrivesAsync(onA, ct), Is.True, "the reading session was told of its own read");
    }

    /// <summary>True when no message arrives within <see cref="Quiet"/> (the socket is aborted by the wait; use it last).</summary>
    private static async Task<bool> NothingArrivesAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(Quiet);
        try
        {
            var frame = await socket.ReceiveMessageAsync(quiet.Token);
            return frame is null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return true;
        }
    }
}
