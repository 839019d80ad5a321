using System.Net;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Admin;

[Description("POST /admin/publish checks a notification's link like the REST API: only https:, http: and site-relative links reach devices.")]
public sealed class PublishLinkTests
{
    [Test]
    public async Task A_javascript_or_off_site_link_is_400_naming_notification_link_and_nothing_is_sent()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("linked", cancellationToken: cts.Token);
        using var admin = broker.CreateAdminClient();

        foreach (var bad in new[] { "javascript:alert(1)", "data:text/html,x", "//evil.example/x", "/\\evil.example", "https:" })
        {
            using var refused = await PublishAsync(admin, bad, cts.Token);
            await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "notification.link");
        }

        using var accepted = await PublishAsync(admin, "/registrations/5", cts.Token);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var first = await device.ReceiveNotificationAsync(cts.Token);
        Assert.That(first.Link, Is.EqualTo("/registrations/5"), "the refused publishes sent nothing before it");
        device.Dispose();
    }

    private static Task<HttpResponseMessage> PublishAsync(HttpClient admin, string link, CancellationToken ct) =>
        admin.PostAsJsonAsync(
            "admin/publish",
            new AdminPublishRequest(Audience.Users("linked"), new AdminNotification(NotificationKinds.AdminMessage, "t", "b", link)),
            SitukJson.Default.AdminPublishRequest,
            ct);
}
