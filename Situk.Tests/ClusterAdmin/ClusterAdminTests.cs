using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Broker.Sessions;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>
/// Two brokers on one real nats-server: broker A's management routes answer for the sessions held on both,
/// kick them wherever they are, and sum the stats with one row per broker.
/// </summary>
[NonParallelizable]
public sealed class ClusterAdminTests
{
    /// <summary>A close that takes milliseconds, bounded where only a lost kick would reach.</summary>
    private static readonly TimeSpan CloseBound = TimeSpan.FromSeconds(2);

    private AdminCluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _cluster = await AdminCluster.StartAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    [Test]
    [CancelAfter(30_000)]
    [Description("From broker A, the sessions of a user with a device on A and one on B are both listed, each with the broker holding it; none is missing.")]
    public async Task Broker_A_lists_the_sessions_held_on_A_and_on_B_with_their_node(CancellationToken ct)
    {
        var user = NewUser();
        using var onA = await AdminCluster.ConnectAsync(_cluster.A, user, ct);
        using var onB = await AdminCluster.ConnectAsync(_cluster.B, user, ct);

        using var admin = _cluster.A.CreateAdminClient();
        using var response = await admin.GetAsync("admin/sessions?userId=" + user, ct);
        var sessions = await response.Content.ReadFromJsonAsync(SitukJson.Default.SessionInfoArray, ct);
        var all = await _cluster.A.SessionsAsync(null, ct);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sessions!.Select(s => (s.UserId, s.Node)), Is.EquivalentTo(new[] { (user, "node-a"), (user, "node-b") }));
            Assert.That(response.Headers.Contains("Situk-Missing-Brokers"), Is.False, "both brokers answered");
            Assert.That(all.Where(s => s.UserId == user).Select(s => s.Node), Is.EquivalentTo(new[] { "node-a", "node-b" }), "the unfiltered list holds both too");
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("An ephemeral publish through broker A reaches the user's devices on A and on B, once each with one id, and the answer counts both.")]
    public async Task A_publish_through_A_reaches_the_users_devices_on_both_brokers(CancellationToken ct)
    {
        var user = NewUser();
        using var onA = await AdminCluster.ConnectAsync(_cluster.A, user, ct);
        using var onB = await AdminCluster.ConnectAsync(_cluster.B, user, ct);

        using var admin = _cluster.A.CreateAdminClient();
        using var response = await admin.PostAsJsonAsync(
            "admin/publish", new AdminPublishRequest(Audience.Users(user), new AdminNotification(NotificationKinds.AdminMessage, "Pengumuman", "Ruang ujian pindah ke lantai 2.")), ct);
        var count = await response.Content.ReadFromJsonAsync(SitukJson.Default.SessionCount, ct);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CloseBound);
        var received = await Task.WhenAll(onA.ReceiveNotificationAsync(bounded.Token), onB.ReceiveNotificationAsync(bounded.Token));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(count, Is.EqualTo(new SessionCount(2)).Using<SessionCount>((x, y) => x.Sessions == y.Sessions && x.Missing is null));
            Assert.That(received.Select(n => n.Body), Is.All.EqualTo("Ruang ujian pindah ke lantai 2."));
            Assert.That(received[0].Id, Is.EqualTo(received[1].Id).And.Negative, "one publish, one id on every broker");
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("A role publish through broker B reaches an admin device on A; users of other roles get nothing.")]
    public async Task A_role_publish_through_B_reaches_that_role_on_A_only(CancellationToken ct)
    {
        var admin = NewUser();
        var asesi = NewUser();
        using var adminOnA = await AdminCluster.ConnectAsync(_cluster.A, admin, ct, Roles.Admin);
        using var asesiOnA = await AdminCluster.ConnectAsync(_cluster.A, asesi, ct);

        using var client = _cluster.B.CreateAdminClient();
        using var response = await client.PostAsJsonAsync(
            "admin/publish", new AdminPublishRequest(Audience.ForRole(Roles.Admin), new AdminNotification(NotificationKinds.AdminMessage, "Admins", "Only admins.")), ct);
        var count = await response.Content.ReadFromJsonAsync(SitukJson.Default.SessionCount, ct);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CloseBound);
        var got = await adminOnA.ReceiveNotificationAsync(bounded.Token);

        Assert.Multiple(() =>
        {
            Assert.That(got.Body, Is.EqualTo("Only admins."));
            Assert.That(count!.Sessions, Is.GreaterThanOrEqualTo(1), "at least the admin device on A");
            Assert.That((asesiOnA.State, adminOnA.State), Is.EqualTo((WebSocketState.Open, WebSocketState.Open)));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("A session held on broker B, kicked through broker A, closes with 4003 within a bound; a session nobody holds is 404.")]
    public async Task Kicking_a_session_held_on_B_through_A_closes_it_with_the_kick_code(CancellationToken ct)
    {
        var user = NewUser();
        using var onB = await AdminCluster.ConnectAsync(_cluster.B, user, ct);
        var sessionId = (await _cluster.A.SessionsAsync(user, ct)).Single().SessionId;

        using var admin = _cluster.A.CreateAdminClient();
        using var kicked = await admin.DeleteAsync("admin/sessions/" + sessionId, ct);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CloseBound);
        var code = await onB.ReceiveCloseAsync(bounded.Token);
        using var unknown = await admin.DeleteAsync("admin/sessions/no-such-session", ct);

        Assert.Multiple(() =>
        {
            Assert.That(kicked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(code, Is.EqualTo(CloseCodes.KickedByAdmin));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("A user with a session on each broker, kicked through broker A: both close with 4003 and the answer counts 2.")]
    public async Task Kicking_a_user_through_A_closes_their_sessions_on_both_brokers(CancellationToken ct)
    {
        var user = NewUser();
        using var onA = await AdminCluster.ConnectAsync(_cluster.A, user, ct);
        using var onB = await AdminCluster.ConnectAsync(_cluster.B, user, ct);

        using var admin = _cluster.A.CreateAdminClient();
        using var response = await admin.DeleteAsync($"admin/users/{user}/sessions", ct);
        var count = await response.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, ct);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CloseBound);
        var codes = await Task.WhenAll(onA.ReceiveCloseAsync(bounded.Token), onB.ReceiveCloseAsync(bounded.Token));

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(new ClosedCount(2)));
            Assert.That(codes, Is.EqualTo(new[] { CloseCodes.KickedByAdmin, CloseCodes.KickedByAdmin }));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("Signing out one sign-in through broker A closes its session on broker B with 4004; the user's other sign-in on B stays open.")]
    public async Task Signing_out_through_A_closes_that_sign_ins_session_on_B_only(CancellationToken ct)
    {
        var user = NewUser();
        var signedOut = Guid.NewGuid().ToString("N");
        using var leaving = await AdminCluster.ConnectSignedInAsync(_cluster.B, user, signedOut, ct);
        using var staying = await AdminCluster.ConnectSignedInAsync(_cluster.B, user, Guid.NewGuid().ToString("N"), ct);

        using var admin = _cluster.A.CreateAdminClient();
        using var response = await admin.DeleteAsync($"admin/users/{user}/signins/{signedOut}/sessions", ct);
        var count = await response.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, ct);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CloseBound);
        var code = await leaving.ReceiveCloseAsync(bounded.Token);

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(new ClosedCount(1)));
            Assert.That(code, Is.EqualTo(CloseCodes.SignedOut));
            Assert.That(staying.State, Is.EqualTo(WebSocketState.Open));
        });
        Assert.That((await _cluster.A.SessionsAsync(user, ct)).Select(s => s.Node), Is.EqualTo(new[] { "node-b" }), "the other sign-in's session is still listed");
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("Stats from broker A: one row per broker with its own sessions and users, and a total that is their sum; none missing.")]
    public async Task Stats_from_A_have_one_row_per_broker_and_their_total(CancellationToken ct)
    {
        // Sessions of the other tests close asynchronously once their sockets are gone.
        await AdminCalls.EventuallyAsync(
            () => Task.FromResult(_cluster.A.Service<SessionRegistry>().Count == 0 && _cluster.B.Service<SessionRegistry>().Count == 0), ct);
        using var onA = await AdminCluster.ConnectAsync(_cluster.A, NewUser(), ct);
        using var first = await AdminCluster.ConnectAsync(_cluster.B, NewUser(), ct);
        using var second = await AdminCluster.ConnectAsync(_cluster.B, NewUser(), ct);

        var stats = await _cluster.A.StatsAsync(ct);

        Assert.Multiple(() =>
        {
            Assert.That(stats.Brokers!.Select(r => (r.Node, r.Connections, r.Users)), Is.EqualTo(new[] { ("node-a", 1, 1), ("node-b", 2, 2) }));
            Assert.That((stats.Connections, stats.Users), Is.EqualTo((3, 3)));
            Assert.That(stats.FramesSent, Is.EqualTo(stats.Brokers!.Sum(r => r.FramesSent)));
            Assert.That(stats.Node, Is.Null, "the total is no broker's row");
            Assert.That(stats.Missing, Is.Empty);
        });
    }

    [Test]
    [CancelAfter(30_000)]
    [Description("Every sample of broker A's /metrics carries node=\"node-a\".")]
    public async Task Metrics_carry_the_node_name(CancellationToken ct)
    {
        using var admin = _cluster.A.CreateAdminClient();
        var text = await admin.GetStringAsync("metrics", ct);
        var samples = PrometheusText.Parse(text);

        Assert.That(samples.Keys, Is.Not.Empty);
        Assert.That(samples.Keys, Has.All.Contains("node=\"node-a\""), text);
        Assert.That(samples.Keys, Has.Some.StartsWith("situk_broker_connections{node=\"node-a\"}"), text);
    }

    [TestCase("GET", "admin/sessions")]
    [TestCase("GET", "admin/stats")]
    [TestCase("DELETE", "admin/sessions/any")]
    [TestCase("DELETE", "admin/users/1/sessions")]
    [TestCase("DELETE", "admin/users/1/signins/abc/sessions")]
    [CancelAfter(30_000)]
    [Description("The cluster-wide routes still need the admin key: without it, 401 and nothing is asked of the other brokers.")]
    public async Task Cluster_routes_need_the_admin_key(string method, string path, CancellationToken ct)
    {
        using var anonymous = _cluster.A.CreateAdminClient(key: "");
        using var wrong = _cluster.A.CreateAdminClient(key: "not-the-admin-key-0123456789");
        using var noKey = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), ct);
        using var wrongKey = await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), ct);

        Assert.That((noKey.StatusCode, wrongKey.StatusCode), Is.EqualTo((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized)));
    }

    private static string NewUser() => "ca-" + Guid.NewGuid().ToString("N")[..12];
}
