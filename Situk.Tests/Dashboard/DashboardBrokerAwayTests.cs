using System.Net;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Dashboard;

[Description("The broker's management endpoints away: the dashboard's broker routes answer 503 problem+json, never 500.")]
public sealed class DashboardBrokerAwayTests
{
    [Test]
    [Description("A broker that refuses the API (wrong admin key) is not the same as 'no such session'.")]
    public async Task With_a_wrong_broker_key_the_broker_routes_answer_503_not_404()
    {
        using var cts = Timeouts.Generous();
        await using var system = await SystemFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:AdminKey"] = "not-the-admin-key-0123456789" });

        using var kick = await system.Api.Admin.Client.DeleteAsync("api/v1/admin/broker/sessions/some-session", cts.Token);
        using var sessions = await system.Api.Admin.Client.GetAsync("api/v1/admin/broker/sessions", cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(kick.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(sessions.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        });
    }

    [Test]
    public async Task With_the_broker_away_the_broker_routes_answer_503()
    {
        using var cts = Timeouts.Generous();
        await using var system = await SystemFixture.StartAsync();
        await system.Broker.StopAsync(cts.Token);

        using var sessions = await system.Api.Admin.Client.GetAsync("api/v1/admin/broker/sessions", cts.Token);
        using var stats = await system.Api.Admin.Client.GetAsync("api/v1/admin/broker/stats", cts.Token);

        Assert.Multiple(() =>
        {
            foreach (var response in new[] { sessions, stats })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            }
        });
    }
}
