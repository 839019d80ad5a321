using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Broker;
using Situk.Nats;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

[Description("NATS with a password and TLS (client certificates verified): the cluster works on it, a process with the wrong "
    + "password or no certificate stays out and says why, and settings that cannot work stop a process at start.")]
[NonParallelizable]
public sealed class NatsSecurityTests
{
    private const string NatsUser = "situk";

    [Test]
    [CancelAfter(120_000)]
    [Description("Two brokers and two API instances on a nats-server that requires a password, TLS and a client certificate signed by "
        + "its authority: a device followed on broker B gets a notification written through the API, and its receipt is stored.")]
    public async Task A_cluster_on_a_server_requiring_a_password_and_client_certificates_delivers_and_stores_receipts(CancellationToken ct)
    {
        using var certificates = TestCertificates.Create();
        var password = "p-" + Guid.NewGuid().ToString("N");
        var nats = await NatsServer.StartAsync(SecureServer(certificates, password), ct);
        await using var cluster = await ClusterSystem.StartAsync(nats, Client(nats, certificates, password), ct);

        var user = await RelayData.CreateUserAsync(cluster.Database);
        using var device = await cluster.ConnectSettledAsync(cluster.B, user, ct);
        await cluster.DeliverAndStoreReceiptAsync(device, user, "the receipt, sent by broker B over TLS, is stored", ct);
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("An API instance with a wrong password, and one with the right password but no client certificate, never join the "
        + "server; each one's readiness says Degraded within seconds, the first with the server's own refusal, and each stops at once.")]
    public async Task A_wrong_password_or_a_missing_client_certificate_keeps_an_instance_out_and_its_readiness_says_why(CancellationToken ct)
    {
        using var certificates = TestCertificates.Create();
        var password = "p-" + Guid.NewGuid().ToString("N");
        await using var nats = await NatsServer.StartAsync(SecureServer(certificates, password), ct);
        var wrongPassword = Client(nats, certificates, "not-" + password);
        var noCertificate = Client(nats, certificates, password);
        noCertificate.Remove("Situk:Nats:TlsCertFile");
        noCertificate.Remove("Situk:Nats:TlsKeyFile");

        foreach (var (settings, expected) in new[] { (wrongPassword, "authorization violation"), (noCertificate, "") })
        {
            settings["Situk:Nats:Name"] = "api-outsider";
            var api = await ApiFixture.StartAsync(settings);
            var check = await BrokerCheckAfterAsync(api, TimeSpan.FromSeconds(3), ct);
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await api.DisposeAsync();

            Assert.Multiple(() =>
            {
                Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("Degraded"), check.ToString());
                Assert.That(check.GetProperty("description").GetString(), Does.Contain(expected).IgnoreCase, check.ToString());
                Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "a connect still being retried held the stop up");
            });
            Assert.That(await nats.MessagesSentToAsync("api-outsider", "", ct), Is.Zero, "the server took the outsider as a client");
        }
    }

    [Test]
    [Description("Settings that cannot work are named, each in its own sentence, before a process starts.")]
    public void Settings_that_cannot_work_are_each_named()
    {
        var problems = new NatsConnectionOptions
        {
            Url = "nats://127.0.0.1:4222",
            User = "situk",
            Token = "t",
            CredsFile = "/nonexistent/situk.creds",
            TlsCertFile = "/nonexistent/client.pem",
        }.Problems().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(problems, Has.Some.Contains("one way to sign in"));
            Assert.That(problems, Has.Some.Contains("User and Situk:Nats:Password go together"));
            Assert.That(problems, Has.Some.Contains("TlsCertFile and Situk:Nats:TlsKeyFile go together"));
            Assert.That(problems, Has.Some.Contains("CredsFile: no file at /nonexistent/situk.creds"));
            Assert.That(problems, Has.Some.Contains("TlsCertFile: no file at /nonexistent/client.pem"));
            Assert.That(new NatsConnectionOptions { User = "x", CredsFile = "/nonexistent" }.Problems(), Is.Empty, "without a URL there is no cluster to check");
        });
    }

    [Test]
    [Description("A broker given a credentials file that is not there refuses to start, naming the setting, instead of retrying NATS forever.")]
    public async Task A_broker_with_a_missing_credentials_file_refuses_to_start()
    {
        await using var app = BrokerApp.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Situk:Jwt:SigningKey"] = "situk-tests-signing-key-0123456789abcdef",
            ["Situk:Broker:DeviceUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalKey"] = "internal-key-0123456789",
            ["Situk:Broker:AdminKey"] = "admin-key-0123456789",
            ["Situk:Nats:Url"] = "nats://127.0.0.1:1",
            ["Situk:Nats:CredsFile"] = "/nonexistent/situk.creds",
        }));

        var error = Assert.CatchAsync(() => app.StartAsync());
        Assert.That(error, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<AggregateException>());
        Assert.That(error!.Message, Does.Contain("Situk:Nats:CredsFile: no file at /nonexistent/situk.creds"));
    }

    /// <summary>nats-server's options: a user and password, TLS with its certificate, and client certificates verified against the authority.</summary>
    private static string[] SecureServer(TestCertificates certificates, string password) =>
    [
        "--user", NatsUser, "--pass", password,
        "--tls", "--tlscert", certificates.ServerCertFile, "--tlskey", certificates.ServerKeyFile,
        "--tlsverify", "--tlscacert", certificates.CaFile,
    ];

    /// <summary>A process's <c>Situk:Nats</c> for that server: <c>tls://</c>, the password, the authority and the client certificate.</summary>
    private static Dictionary<string, string?> Client(NatsServer nats, TestCertificates certificates, string password) => new()
    {
        ["Situk:Nats:Url"] = nats.Url.Replace("nats://", "tls://", StringComparison.Ordinal),
        ["Situk:Nats:User"] = NatsUser,
        ["Situk:Nats:Password"] = password,
        ["Situk:Nats:TlsCaFile"] = certificates.CaFile,
        ["Situk:Nats:TlsCertFile"] = certificates.ClientCertFile,
        ["Situk:Nats:TlsKeyFile"] = certificates.ClientKeyFile,
    };

    /// <summary>The API's "broker" readiness check once <paramref name="wait"/> has passed: long enough for several connect attempts, far short of any timeout.</summary>
    private static async Task<JsonElement> BrokerCheckAfterAsync(ApiFixture api, TimeSpan wait, CancellationToken ct)
    {
        await Task.Delay(wait, ct);
        using var client = api.CreateClient();
        using var response = await client.GetAsync("readyz", ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return body.GetProperty("checks").GetProperty("broker");
    }
}
