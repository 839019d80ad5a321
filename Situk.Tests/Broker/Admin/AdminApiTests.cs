using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Admin;

[Description("Management endpoints on the internal listener, behind the admin key.")]
public sealed class AdminApiTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [TestCase("GET", "admin/sessions")]
    [TestCase("DELETE", "admin/sessions/abc")]
    [TestCase("DELETE", "admin/users/42/sessions")]
    [TestCase("POST", "admin/publish")]
    [TestCase("GET", "admin/stats")]
    [TestCase("GET", "metrics")]
    public async Task Management_endpoint_refuses_a_wrong_or_missing_key_with_401_problem(string method, string path)
    {
        using var cts = Timeouts.Generous();
        foreach (var key in new[] { "", "wrong", BrokerFixture.DefaultInternalKey })
        {
            using var client = _broker.CreateAdminClient(key);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody("{}") };
            using var response = await client.SendAsync(request, cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"key '{key}'");
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            });
        }
    }

    [Test]
    public async Task Sessions_are_listed_and_filtered_by_user()
    {
        using var cts = Timeouts.Generous();
        var (a, welcomeA) = await _broker.ConnectDeviceWithWelcomeAsync("list-a", Roles.Asesor, cts.Token);
        var (b, _) = await _broker.ConnectDeviceWithWelcomeAsync("list-b", cancellationToken: cts.Token);
        using (a)
        using (b)
        {
            var all = await _broker.SessionsAsync(null, cts.Token);
            var onlyA = await _broker.SessionsAsync("list-a", cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(all.Select(s => s.UserId), Is.SupersetOf(new[] { "list-a", "list-b" }));
                Assert.That(onlyA, Has.Length.EqualTo(1));
                Assert.That(onlyA[0].SessionId, Is.EqualTo(welcomeA.SessionId));
                Assert.That(onlyA[0].Role, Is.EqualTo(Roles.Asesor));
                Assert.That(onlyA[0].RemoteAddress, Is.EqualTo("127.0.0.1"));
            });
        }
    }

    [Test]
    public async Task Admin_kick_closes_the_session_with_4003()
    {
        using var cts = Timeouts.Generous();
        var (socket, welcome) = await _broker.ConnectDeviceWithWelcomeAsync("kicked", cancellationToken: cts.Token);
        using (socket)
        {
            using var admin = _broker.CreateAdminClient();
            using var response = await admin.DeleteAsync("admin/sessions/" + welcome.SessionId, cts.Token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.KickedByAdmin));
        }
    }

    [Test]
    [Description("The welcome is written only after the session is registered: a device that has read it is already listed.")]
    public async Task A_welcomed_session_is_listed_at_once()
    {
        using var cts = Timeouts.Generous();
        for (var i = 0; i < 30; i++)
        {
            var (socket, welcome) = await _broker.ConnectDeviceWithWelcomeAsync("listed-" + i, cancellationToken: cts.Token);
            using (socket)
            {
                var listed = await _broker.SessionsAsync("listed-" + i, cts.Token);
                Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { welcome.SessionId }), $"attempt {i}");
            }
        }
    }

    [Test]
    public async Task Kicking_an_unknown_session_is_404()
    {
        using var cts = Timeouts.Generous();
        using var admin = _broker.CreateAdminClient();
        using var response = await admin.DeleteAsync("admin/sessions/no-such-session", cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Kicking_a_user_closes_all_their_sessions_with_4003()
    {
        using var cts = Timeouts.Generous();
        var (one, _) = await _broker.ConnectDeviceWithWelcomeAsync("kick-all", cancellationToken: cts.Token);
        var (two, _) = await _broker.ConnectDeviceWithWelcomeAsync("kick-all", cancellationToken: cts.Token);
        using (one)
        using (two)
        {
            using var admin = _broker.CreateAdminClient();
            using var response = await admin.DeleteAsync("admin/users/kick-all/sessions", cts.Token);
            var closed = await response.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, cts.Token);
            Assert.Multiple(async () =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(closed!.Closed, Is.EqualTo(2));
                Assert.That(await one.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.KickedByAdmin));
                Assert.That(await two.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.KickedByAdmin));
            });
        }
    }

    [TestCase("not json", "body")]
    [TestCase("{\"to\":", "to")]
    [TestCase("{\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}}", "to")]
    [TestCase("{\"to\":{\"role\":\"boss\"},\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}}", "to")]
    [TestCase("{\"to\":{\"all\":true,\"role\":\"asesi\"},\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}}", "to")]
    [TestCase("{\"to\":{\"all\":true}}", "notification")]
    [TestCase("{\"to\":{\"all\":true},\"notification\":{\"kind\":\"nope\",\"title\":\"t\",\"body\":\"b\"}}", "notification.kind")]
    [TestCase("{\"to\":{\"all\":true},\"notification\":{\"kind\":\"admin.message\",\"body\":\"b\"}}", "notification.title")]
    [TestCase("{\"to\":{\"userIds\":\"x\"},\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}}", "to.userIds")]
    [TestCase("", "body")]
    [TestCase("null", "body")]
    [TestCase("{\"to\":{\"all\":true},\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}} {}", "body")]
    public async Task Bad_publish_body_is_400_problem_naming_the_field(string body, string field)
    {
        using var cts = Timeouts.Generous();
        using var admin = _broker.CreateAdminClient();
        using var response = await admin.PostAsync("admin/publish", JsonBody(body), cts.Token);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.RootElement.ToString());
        });
    }

    [Test]
    [Description("The answer is written as bytes on a single broker: it must stay exactly what SessionCount serialises to.")]
    public async Task Publish_answers_the_count_of_sessions_as_json()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("answered", cancellationToken: cts.Token);
        using (socket)
        {
            using var admin = _broker.CreateAdminClient();
            using var response = await admin.PostAsync("admin/publish",
                JsonBody("{\"to\":{\"userIds\":[\"answered\"]},\"notification\":{\"kind\":\"admin.message\",\"title\":\"t\",\"body\":\"b\"}}"), cts.Token);
            var text = await response.Content.ReadAsStringAsync(cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
                Assert.That(text, Is.EqualTo("{\"sessions\":1}"));
            });
        }
    }

    [Test]
    [Description("A body larger than one buffer of the request pipe (4 KiB) arrives in several pieces and is read whole.")]
    public async Task A_publish_body_of_several_buffers_is_read_whole()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("large-body", cancellationToken: cts.Token);
        using (socket)
        {
            var text = new string('x', 20_000);
            Assert.That(await _broker.PublishAsync(Audience.Users("large-body"), "large", cts.Token, body: text), Is.EqualTo(1));
            var received = await socket.ReceiveNotificationAsync(cts.Token);
            Assert.That(received.Body, Is.EqualTo(text));
        }
    }

    [Test]
    public async Task Ephemeral_publishes_get_decreasing_negative_ids()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("ephemeral", cancellationToken: cts.Token);
        using (socket)
        {
            await _broker.PublishAsync(Audience.Users("ephemeral"), "one", cts.Token);
            await _broker.PublishAsync(Audience.Users("ephemeral"), "two", cts.Token);
            var first = await socket.ReceiveNotificationAsync(cts.Token);
            var second = await socket.ReceiveNotificationAsync(cts.Token);
            Assert.That(second.Id, Is.LessThan(first.Id).And.Negative);
        }
    }

    [Test]
    public async Task Stats_count_frames_and_connections()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("counted", cancellationToken: cts.Token);
        using (socket)
        {
            var stats = await _broker.StatsAsync(cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(stats.Connections, Is.GreaterThanOrEqualTo(1));
                Assert.That(stats.Users, Is.GreaterThanOrEqualTo(1));
                Assert.That(stats.FramesSent, Is.GreaterThanOrEqualTo(1), "the welcome frame counts");
            });
        }
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
}
