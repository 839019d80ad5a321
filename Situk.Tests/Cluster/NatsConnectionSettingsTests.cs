using BrokerSettings = Situk.Broker.Cluster.NatsConnectionSettings;
using ApiSettings = Situk.Api.Cluster.NatsConnectionSettings;

namespace Situk.Tests.Cluster;

public sealed class NatsConnectionSettingsTests
{
    private const string Urls = "nats://situk:s3cret@10.0.0.1:4222, nats://tok3n@10.0.0.2:4222,10.0.0.3:4222";

    [Test]
    [Description("Several servers of one NATS cluster pass through as one comma-separated list, tried in the order given.")]
    public void Several_urls_pass_through_in_order_with_randomisation_off()
    {
        foreach (var opts in new[] { BrokerSettings.Options(Urls, "b"), ApiSettings.Options(Urls, "a") })
        {
            Assert.Multiple(() =>
            {
                Assert.That(opts.Url, Is.EqualTo(Urls));
                Assert.That(opts.NoRandomize, Is.True);
                Assert.That(opts.ReconnectWaitMax, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "a lost server costs at most about a second of reconnect");
                Assert.That(opts.PingInterval * (opts.MaxPingOut + 1), Is.LessThanOrEqualTo(TimeSpan.FromSeconds(6)), "a frozen server is left within seconds");
            });
        }
    }

    [Test]
    [Description("A user, password or token in any of the URLs never reaches a log line.")]
    public void Logged_urls_carry_no_credentials()
    {
        const string expected = "nats://***@10.0.0.1:4222,nats://***@10.0.0.2:4222,10.0.0.3:4222";
        Assert.Multiple(() =>
        {
            Assert.That(BrokerSettings.Redacted(Urls), Is.EqualTo(expected));
            Assert.That(ApiSettings.Redacted(Urls), Is.EqualTo(expected));
            Assert.That(BrokerSettings.Redacted("user:pw@host:4222"), Is.EqualTo("***@host:4222"));
        });
    }
}
