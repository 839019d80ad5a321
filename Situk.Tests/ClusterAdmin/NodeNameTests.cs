using Situk.Broker.Options;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>Every broker has a name (<c>Situk:Broker:NodeName</c>, else host name and port): on session and stats rows and on /metrics.</summary>
public sealed class NodeNameTests
{
    [TestCase("has space")]
    [TestCase("tab\tname")]
    [Description("A node name with a space or control character, or longer than 100 characters, is refused naming NodeName.")]
    public void A_node_name_that_cannot_label_a_series_is_refused(string name)
    {
        var options = new BrokerOptions { InternalKey = "k", AdminKey = "a", NodeName = name };
        Assert.Multiple(() =>
        {
            Assert.That(new BrokerOptionsValidator().Validate(null, options).FailureMessage, Does.Contain("NodeName"));
            Assert.That(new BrokerOptionsValidator().Validate(null, new BrokerOptions { InternalKey = "k", AdminKey = "a", NodeName = new string('n', 101) }).FailureMessage, Does.Contain("NodeName"));
            Assert.That(new BrokerOptionsValidator().Validate(null, new BrokerOptions { InternalKey = "k", AdminKey = "a", NodeName = "web-3:5080" }).Succeeded, Is.True);
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("A single broker without NATS and without NodeName: its session rows, stats and metrics carry its default name (host name and a suffix); stats have no per-broker rows.")]
    public async Task A_single_broker_names_itself_by_default_and_answers_as_before(CancellationToken ct)
    {
        await using var broker = await BrokerFixture.StartAsync(cancellationToken: ct);
        using var device = await broker.ConnectDeviceAsync("node-default", cancellationToken: ct);
        await device.ReceiveWelcomeAsync(ct);

        var sessions = await broker.SessionsAsync("node-default", ct);
        var stats = await broker.StatsAsync(ct);
        using var admin = broker.CreateAdminClient();
        var metrics = await admin.GetStringAsync("metrics", ct);

        var name = sessions.Single().Node;
        Assert.Multiple(() =>
        {
            Assert.That(name, Does.StartWith(Environment.MachineName + "-"));
            Assert.That(stats.Node, Is.EqualTo(name));
            Assert.That((stats.Brokers, stats.Missing), Is.EqualTo(((BrokerStats[]?)null, (string[]?)null)));
            Assert.That(metrics, Does.Contain($"node=\"{name}\""));
        });
    }
}
