using System.Net;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Dashboard;

[Description("The admin dashboard's files are served with a policy that lets the page talk to this API only, and not be framed.")]
public sealed class DashboardPageTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _api = await ApiFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [TestCase("admin")]
    [TestCase("admin/dashboard.js")]
    public async Task The_dashboard_may_talk_only_to_its_own_origin_and_may_not_be_framed(string path)
    {
        using var cts = Timeouts.Generous();
        using var response = await _api.CreateClient().GetAsync(path, cts.Token);
        var policy = PageHeaders.Policy(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(policy["default-src"], Is.EqualTo(new[] { "'self'" }));
            Assert.That(policy["connect-src"], Is.EqualTo(new[] { "'self'" }));
            Assert.That(policy["frame-ancestors"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(policy["form-action"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(PageHeaders.Single(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
            Assert.That(PageHeaders.Single(response, "Referrer-Policy"), Is.EqualTo("no-referrer"));
        });
    }
}
