using NATS.Client.Core;
using Situk.Contracts;
using Situk.Nats;

namespace Situk.Tests.Cluster;

public sealed class NatsConnectionSettingsTests
{
    private const string Urls = "nats://situk:s3cret@10.0.0.1:4222, nats://tok3n@10.0.0.2:4222,10.0.0.3:4222";

    [Test]
    [Description("Several servers of one NATS cluster pass through as one comma-separated list, tried in the order given.")]
    public void Several_urls_pass_through_in_order_with_randomisation_off()
    {
        var opts = NatsConnectionSettings.Options(new NatsConnectionOptions { Url = Urls }, "b", ClusterSubjects.BrokerInboxPrefix);
        Assert.Multiple(() =>
        {
            Assert.That(opts.Url, Is.EqualTo(Urls));
            Assert.That(opts.NoRandomize, Is.True);
            Assert.That(opts.InboxPrefix, Is.EqualTo("_INBOX.situk-broker"), "replies come under the role's own inbox prefix, which NATS permissions name");
            Assert.That(opts.ReconnectWaitMax, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "a lost server costs at most about a second of reconnect");
            Assert.That(opts.PingInterval * (opts.MaxPingOut + 1), Is.LessThanOrEqualTo(TimeSpan.FromSeconds(6)), "a frozen server is left within seconds");
        });
    }

    [Test]
    [Description("Sign-in and TLS settings reach the client as given; TlsRequired refuses a plain server, otherwise the URL's scheme decides.")]
    public void Sign_in_and_tls_settings_reach_the_client()
    {
        var opts = NatsConnectionSettings.Options(new NatsConnectionOptions
        {
            Url = "nats://10.0.0.1:4222",
            User = "situk",
            Password = "pw",
            TlsCaFile = "/etc/situk/nats-ca.pem",
            TlsCertFile = "/etc/situk/broker.pem",
            TlsKeyFile = "/etc/situk/broker-key.pem",
            TlsRequired = true,
        }, "b", ClusterSubjects.BrokerInboxPrefix);
        var token = NatsConnectionSettings.Options(new NatsConnectionOptions { Url = "nats://10.0.0.1:4222", Token = "t0k" }, "a", ClusterSubjects.ApiInboxPrefix);
        var creds = NatsConnectionSettings.Options(new NatsConnectionOptions { Url = "nats://10.0.0.1:4222", CredsFile = "/etc/situk/api.creds" }, "a", ClusterSubjects.ApiInboxPrefix);

        Assert.Multiple(() =>
        {
            Assert.That((opts.AuthOpts.Username, opts.AuthOpts.Password), Is.EqualTo(("situk", "pw")));
            Assert.That((opts.TlsOpts.CaFile, opts.TlsOpts.CertFile, opts.TlsOpts.KeyFile), Is.EqualTo(("/etc/situk/nats-ca.pem", "/etc/situk/broker.pem", "/etc/situk/broker-key.pem")));
            Assert.That(opts.TlsOpts.Mode, Is.EqualTo(TlsMode.Require));
            Assert.That(token.AuthOpts.Token, Is.EqualTo("t0k"));
            Assert.That(creds.AuthOpts.CredsFile, Is.EqualTo("/etc/situk/api.creds"));
            Assert.That(token.TlsOpts.Mode, Is.EqualTo(TlsMode.Auto), "without TlsRequired a tls:// URL or a certificate still requires TLS (NATS.Net's Auto)");
        });
    }

    [Test]
    [Description("A user, password or token in any of the URLs never reaches a log line.")]
    public void Logged_urls_carry_no_credentials()
    {
        const string expected = "nats://***@10.0.0.1:4222,nats://***@10.0.0.2:4222,10.0.0.3:4222";
        Assert.Multiple(() =>
        {
            Assert.That(NatsConnectionSettings.Redacted(Urls), Is.EqualTo(expected));
            Assert.That(NatsConnectionSettings.Redacted("user:pw@host:4222"), Is.EqualTo("***@host:4222"));
        });
    }
}
