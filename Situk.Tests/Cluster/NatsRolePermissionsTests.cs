using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NATS.Client.Core;
using Situk.Broker.Cluster;
using Situk.Contracts;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

[Description("The shipped NATS configuration (eng/nats/situk-roles.conf) on a real nats-server: brokers and API instances, each "
    + "signed in as its own role's user, do all their work with no permission refused, and a process holding one role's password "
    + "cannot do the other role's work: forge notifications, read device traffic, take receipts or kick sessions.")]
[NonParallelizable]
public sealed class NatsRolePermissionsTests
{
    private const string BrokerUser = "situk-broker";
    private const string ApiUser = "situk-api";

    /// <summary>How long the server may take to log a refusal it has already sent: far under any timeout.</summary>
    private static readonly TimeSpan LogBound = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan DeliveryBound = TimeSpan.FromSeconds(5);

    private readonly string _brokerPassword = "b" + Guid.NewGuid().ToString("N");
    private readonly string _apiPassword = "a" + Guid.NewGuid().ToString("N");
    private ClusterSystem _cluster = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var nats = await NatsServer.StartAsync(
            ["-c", Path.Combine(RepoPaths.Root, "eng", "nats", "situk-roles.conf")],
            new Dictionary<string, string> { ["SITUK_NATS_BROKER_PASSWORD"] = _brokerPassword, ["SITUK_NATS_API_PASSWORD"] = _apiPassword },
            timeout.Token);
        _cluster = await ClusterSystem.StartAsync(nats, SignIn(BrokerUser, _brokerPassword), SignIn(ApiUser, _apiPassword), timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    [Test]
    [CancelAfter(60_000)]
    [Description("Each role as its own user: a pending notification is re-sent when the device comes online (presence, answered by "
        + "an API instance), a new one is delivered and its receipt stored, broker A lists the session held on B with none missing, "
        + "and the server refused nothing all along.")]
    public async Task Brokers_and_api_instances_each_signed_in_as_their_role_do_all_their_work(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        using var device = await _cluster.ConnectSettledAsync(_cluster.B, user, ct);
        await _cluster.DeliverAndStoreReceiptAsync(
            device, user, "the receipt, requested by broker B as situk-broker and answered by an API instance as situk-api, is stored", ct);

        using var admin = _cluster.A.CreateAdminClient();
        using var response = await admin.GetAsync("admin/sessions?userId=" + user, ct);
        var sessions = await response.Content.ReadFromJsonAsync(SitukJson.Default.SessionInfoArray, ct);
        using var http = new HttpClient();
        using var readiness = await http.GetAsync(new Uri(_cluster.A.InternalHttp, "readyz"), ct);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sessions!.Select(s => s.Node), Is.EqualTo(new[] { _cluster.B.Service<BrokerNode>().Name }), "broker B answered broker A's question");
            Assert.That(response.Headers.Contains("Situk-Missing-Brokers"), Is.False);
            Assert.That(readiness.StatusCode, Is.EqualTo(HttpStatusCode.OK), "broker A, refused nothing, is ready");
            // The other tests' hostile connections and wrong-role processes are refused on purpose; their names say so.
            Assert.That(Violations().Where(l => !l.Contains(".NET:hostile-", StringComparison.Ordinal) && !l.Contains("-as-", StringComparison.Ordinal)), Is.Empty,
                "the server refused one of the cluster's own publishes or subscriptions");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("With the brokers' password, a notification published to a user's subject is refused and never reaches the device "
        + "(the same frame then sent as situk-api arrives first), and a subscription to the API's receipts is refused.")]
    public async Task The_broker_password_cannot_forge_notifications_or_take_receipts(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        using var device = await _cluster.ConnectSettledAsync(_cluster.A, user, ct);
        await using var hostile = await ConnectAsync(BrokerUser, _brokerPassword, "hostile-broker", ct);
        await using var api = await ConnectAsync(ApiUser, _apiPassword, "genuine-api", ct);
        var subject = ClusterSubjects.User(user.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await hostile.PublishAsync(subject, Frame(-1001, "Palsu"), NotificationHeaders(-1001), cancellationToken: ct);
        await using var stolen = await hostile.SubscribeCoreAsync<byte[]>(ClusterSubjects.Receipts, ClusterSubjects.ApiQueueGroup, cancellationToken: ct);
        // The server answers a ping after everything sent before it: both are decided before the genuine publish.
        await hostile.PingAsync(ct);
        await api.PublishAsync(subject, Frame(-1002, "Asli"), NotificationHeaders(-1002), cancellationToken: ct);
        await api.PingAsync(ct);

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(DeliveryBound);
        var first = await device.ReceiveNotificationAsync(bounded.Token);

        Assert.That(first.Id, Is.EqualTo(-1002), "the forged notification reached the device");
        await AssertLoggedAsync($"Publish Violation - User \"{BrokerUser}\", Subject \"{subject}\"");
        await AssertLoggedAsync($"Subscription Violation - User \"{BrokerUser}\", Subject \"{ClusterSubjects.Receipts}\"");
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("With the API instances' password, subscriptions to every user's subject and to the receipts outside the queue "
        + "group are refused, and a kick is refused (the device still gets its next notification); the same kick as situk-broker "
        + "closes the device with 4003 at once.")]
    public async Task The_api_password_cannot_read_device_traffic_or_kick_sessions(CancellationToken ct)
    {
        var user = await RelayData.CreateUserAsync(_cluster.Database);
        var userId = user.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var device = await _cluster.ConnectSettledAsync(_cluster.A, user, ct);
        await using var hostile = await ConnectAsync(ApiUser, _apiPassword, "hostile-api", ct);
        await using var broker = await ConnectAsync(BrokerUser, _brokerPassword, "genuine-broker", ct);

        await using var everyone = await hostile.SubscribeCoreAsync<byte[]>("situk.user.>", cancellationToken: ct);
        await using var allReceipts = await hostile.SubscribeCoreAsync<byte[]>(ClusterSubjects.Receipts, cancellationToken: ct);
        var kick = JsonSerializer.SerializeToUtf8Bytes(new AdminQuery(UserId: userId), AdminJson.Default.AdminQuery);
        await hostile.PublishAsync(AdminOps.Subject(AdminOps.KickUser), kick, replyTo: "_INBOX.hostile", cancellationToken: ct);
        await hostile.PingAsync(ct);

        var id = (await RelayData.NotifyAsync(_cluster.Database, user)).Single();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(DeliveryBound);
        Assert.That((await device.ReceiveNotificationAsync(bounded.Token)).Id, Is.EqualTo(id), "the device was kicked or missed its notification");

        // The control: the very same message, sent with the brokers' password, is a kick.
        await broker.PublishAsync(AdminOps.Subject(AdminOps.KickUser), kick, replyTo: "_INBOX.genuine", cancellationToken: ct);
        Assert.That(await device.ReceiveCloseAsync(bounded.Token), Is.EqualTo(CloseCodes.KickedByAdmin));

        await AssertLoggedAsync($"Subscription Violation - User \"{ApiUser}\", Subject \"situk.user.>\"");
        await AssertLoggedAsync($"Subscription Violation - User \"{ApiUser}\", Subject \"{ClusterSubjects.Receipts}\"");
        await AssertLoggedAsync($"Publish Violation - User \"{ApiUser}\", Subject \"{AdminOps.Subject(AdminOps.KickUser)}\"");
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("A broker signed in as situk-api, and an API instance signed in as situk-broker, connect but the server refuses "
        + "their subscriptions: each one's readiness says so, with the server's words, within 5 s of starting, instead of ready.")]
    public async Task A_process_signed_in_as_the_other_role_is_not_ready_and_says_why(CancellationToken ct)
    {
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Nats:Url"] = _cluster.Nats.Url,
            ["Situk:Nats:Name"] = "broker-as-api",
            ["Situk:Broker:NodeName"] = "broker-as-api",
            ["Situk:Nats:User"] = ApiUser,
            ["Situk:Nats:Password"] = _apiPassword,
            ["Situk:Cluster:Rebalance:Enabled"] = "false",
        }, cancellationToken: ct);
        var settings = ClusterSystem.ApiSettings(_cluster.Nats, "api-as-broker", _cluster.A);
        settings["Situk:Nats:User"] = BrokerUser;
        settings["Situk:Nats:Password"] = _brokerPassword;
        await using var api = await ApiFixture.StartAsync(settings);
        using var http = new HttpClient();
        using var apiHttp = api.CreateClient();

        var brokerReason = await EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri(broker.InternalHttp, "readyz"), ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable ? body.GetProperty("reason").GetString() : null;
        });
        var apiReason = await EventuallyAsync(async () =>
        {
            using var response = await apiHttp.GetAsync("readyz", ct);
            var check = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("checks").GetProperty("broker");
            return check.GetProperty("status").GetString() == "Degraded" ? check.GetProperty("description").GetString() : null;
        });

        Assert.Multiple(() =>
        {
            Assert.That(brokerReason, Does.Contain("refuses this broker's traffic").And.Contain("Permissions Violation for Subscription"));
            Assert.That(apiReason, Does.Contain("refuses this instance's traffic").And.Contain("Permissions Violation for Subscription"));
        });
    }

    /// <summary>The first reason <paramref name="reason"/> gives that names a refusal, polled within 5 s (a connect and its first subscriptions take well under one); null if none came.</summary>
    private static async Task<string?> EventuallyAsync(Func<Task<string?>> reason)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            last = await reason();
            if (last?.Contains("Permissions Violation", StringComparison.Ordinal) == true)
            {
                return last;
            }

            await Task.Delay(50);
        }

        return last;
    }

    private static Dictionary<string, string?> SignIn(string user, string password) => new()
    {
        ["Situk:Nats:User"] = user,
        ["Situk:Nats:Password"] = password,
    };

    private async Task<NatsConnection> ConnectAsync(string user, string password, string name, CancellationToken ct)
    {
        var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = _cluster.Nats.Url,
            Name = name,
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = password },
        });
        await connection.ConnectAsync();
        await connection.PingAsync(ct);
        return connection;
    }

    private static byte[] Frame(long id, string title) => JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(
        new NotificationFrame(id, NotificationKinds.AdminMessage, title, "Dikirim langsung ke NATS.", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow),
        SitukJson.Default.DeviceFrame);

    private static NatsHeaders NotificationHeaders(long id) => new()
    {
        [ClusterHeaders.Kind] = ClusterHeaders.KindNotification,
        [ClusterHeaders.Id] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [ClusterHeaders.Priority] = "normal",
    };

    private string[] Violations() => [.. _cluster.Nats.Log.Where(l => l.Contains("Violation", StringComparison.Ordinal))];

    /// <summary>The server logged <paramref name="refusal"/> within <see cref="LogBound"/>.</summary>
    private async Task AssertLoggedAsync(string refusal)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Violations().Any(l => l.Contains(refusal, StringComparison.Ordinal)) && waited.Elapsed < LogBound)
        {
            await Task.Delay(20);
        }

        Assert.That(Violations(), Has.Some.Contains(refusal), "the server's log: " + string.Join("\n", _cluster.Nats.Log.TakeLast(20)));
    }
}
