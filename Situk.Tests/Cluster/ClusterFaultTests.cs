using Situk.Broker.Cluster;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

/// <summary>Faults between the cluster's parts, each on a fresh cluster (two brokers, two API instances, one nats-server).</summary>
[NonParallelizable]
public sealed class ClusterFaultTests
{
    [Test]
    [CancelAfter(120_000)]
    [Description("With no API instance answering, a broker keeps the receipts it was given and asks again with back-off; an API instance that starts later stores them.")]
    public async Task Receipts_wait_in_the_broker_until_an_API_instance_stores_them(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        var user = await RelayData.CreateUserAsync(cluster.Database);
        using var onB = await cluster.ConnectAsync(cluster.B, user, ct);
        var id = (await RelayData.NotifyAsync(cluster.Database, user)).Single();
        Assert.That((await onB.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));

        await cluster.SecondApi.App.StopAsync(ct);
        await cluster.Api.App.StopAsync(ct);
        await onB.SendTextAsync($$"""{"type":"ack","ids":[{{id}}]}""", ct);

        var uplink = cluster.B.Service<NatsUplink>();
        await RelayData.EventuallyAsync(() => Task.FromResult(uplink.ReceiptBacklogBytes > 0), "the broker holds the receipt");
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.That(uplink.ReceiptBacklogBytes, Is.GreaterThan(0), "the broker let go of a receipt nobody stored");

        await using var third = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = cluster.Api.ConnectionString,
            ["Situk:Nats:Url"] = cluster.Nats.Url,
            ["Situk:Jwt:SigningKey"] = cluster.B.Tokens.SigningKey,
        });

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(cluster.Database, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", new { id }) == 1,
            "the late API instance stored the receipt");
        await RelayData.EventuallyAsync(() => Task.FromResult(uplink.ReceiptBacklogBytes == 0), "the broker let go of the stored receipt");
    }

    [Test]
    [CancelAfter(120_000)]
    [Description("After the NATS server comes back, each broker announces the users it holds again, so what was lost in transit while it was away reaches them.")]
    public async Task After_NATS_comes_back_a_broker_announces_its_users_and_what_was_lost_is_re_sent(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        var user = await RelayData.CreateUserAsync(cluster.Database);
        using var onB = await cluster.ConnectSettledAsync(cluster.B, user, ct);

        // A notification whose publish was lost (forwarded, never reached a broker): no outbox row to send it again.
        var id = await cluster.InsertUnsentAsync(user, "Lost in transit");

        await cluster.Nats.RestartAsync(ct);

        // Bounded: without the announcement nothing ever carries it.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        Assert.That((await onB.ReceiveNotificationAsync(bound.Token)).Id, Is.EqualTo(id));
    }
}
