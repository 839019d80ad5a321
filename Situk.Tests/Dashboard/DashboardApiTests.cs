using System.Net;
using System.Net.Http.Json;
using Situk.Api.Dashboard;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Dashboard;

[Description("The dashboard's routes: the broker's sessions and stats through the API (the browser never holds the broker key), delivery over time, recent notifications.")]
public sealed class DashboardApiTests : WholeSystemTests
{
    private HttpClient Admin => Stack.Api.Admin.Client;

    [Test]
    public async Task A_connected_device_is_listed_and_can_be_disconnected()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var device = await Stack.ConnectDeviceAsync(user, cts.Token);

        var sessions = await Admin.GetFromJsonAsync<SessionInfo[]>($"api/v1/admin/broker/sessions?userId={user.Id}", cts.Token);
        Assert.That(sessions, Has.Length.EqualTo(1));
        Assert.That(sessions![0].DeviceClass, Is.EqualTo(DeviceClasses.Android));

        using var kicked = await Admin.DeleteAsync($"api/v1/admin/broker/sessions/{sessions[0].SessionId}", cts.Token);
        using var unknown = await Admin.DeleteAsync("api/v1/admin/broker/sessions/no-such-session", cts.Token);
        Assert.Multiple(async () =>
        {
            Assert.That(kicked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await device.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.KickedByAdmin));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Stats_come_from_the_broker()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var device = await Stack.ConnectDeviceAsync(user, cts.Token);

        var stats = await Admin.GetFromJsonAsync<BrokerStats>("api/v1/admin/broker/stats", cts.Token);

        Assert.That(stats!.Connections, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Delivered_notifications_appear_in_the_series_and_the_recent_list()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var device = await Stack.ConnectDeviceAsync(user, cts.Token);
        using var sent = await Admin.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { user.Id } }, title = "Grafik", body = "For the chart." }, cts.Token);
        var n = await device.ReceiveNotificationAsync(cts.Token);
        await device.SendFrameAsync(new AckFrame([n.Id]), cts.Token);
        while (await Stack.Api.ScalarAsync<bool>("SELECT delivered_at IS NULL FROM notifications WHERE id = @id", ("id", n.Id)))
        {
            await Task.Delay(50, cts.Token);
        }

        var series = await Admin.GetFromJsonAsync<DeliverySeries>("api/v1/admin/delivery-series?minutes=5&bucketSeconds=60", cts.Token);
        var recent = await Admin.GetFromJsonAsync<RecentNotification[]>("api/v1/admin/notifications/recent?limit=5", cts.Token);

        var mine = recent!.Single(r => r.Id == n.Id);
        Assert.Multiple(() =>
        {
            Assert.That(series!.BucketSeconds, Is.EqualTo(60));
            Assert.That(series.Points.Sum(p => p.Delivered), Is.GreaterThanOrEqualTo(1));
            Assert.That(series.Points.All(p => p.P50Ms is >= 0 && p.P99Ms >= p.P50Ms), Is.True, "delays are plausible");
            Assert.That(recent![0].Id, Is.GreaterThanOrEqualTo(n.Id), "newest first");
            Assert.That(mine.UserEmail, Is.EqualTo(user.Email));
            Assert.That(mine.DeliveredDeviceClass, Is.EqualTo(DeviceClasses.Android));
            Assert.That(mine.EmailState, Is.EqualTo("none"));
        });
    }

    [TestCase("api/v1/admin/delivery-series?minutes=0", "minutes")]
    [TestCase("api/v1/admin/delivery-series?bucketSeconds=9999", "bucketSeconds")]
    [TestCase("api/v1/admin/notifications/recent?limit=0", "limit")]
    [TestCase("api/v1/admin/delivery-series?minutes=abc", "minutes")]
    [TestCase("api/v1/admin/notifications/recent?limit=x", "limit")]
    [TestCase("api/v1/me/notifications?after=1e9", "after")]
    public async Task Bad_parameters_are_400_naming_the_field(string path, string field)
    {
        using var response = await Admin.GetAsync(path);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True);
        });
    }

    [TestCase("api/v1/admin/broker/sessions")]
    [TestCase("api/v1/admin/broker/stats")]
    [TestCase("api/v1/admin/delivery-series")]
    [TestCase("api/v1/admin/notifications/recent")]
    public async Task Only_admins_may_read_the_dashboard(string path)
    {
        var asesor = await Stack.Api.CreateUserAsync(Roles.Asesor);
        using var anonymous = await Stack.Api.CreateClient().GetAsync(path);
        using var wrongRole = await asesor.Client.GetAsync(path);
        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongRole.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }
}
