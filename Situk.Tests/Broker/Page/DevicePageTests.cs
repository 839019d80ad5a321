using System.Net;
using System.Net.Http.Json;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Page;

[Description("The device page and situk.js are served by the broker, on the device listener only.")]
public sealed class DevicePageTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync(
        settings: new Dictionary<string, string?> { ["Situk:Broker:PublicApiUrl"] = "http://api.example:5000" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [TestCase("", "text/html", "<title>Situk")]
    [TestCase("situk.js", "text/javascript", "export class SitukClient")]
    [TestCase("device.js", "text/javascript", "from \"/situk.js\"")]
    [TestCase("device.css", "text/css", ".state")]
    [TestCase("device-id.json", "application/json", "\"signin.title\": \"Masuk\"")]
    [TestCase("pagetext.js", "text/javascript", "export class PageText")]
    public async Task Page_files_are_served_with_their_content_type(string path, string contentType, string excerpt)
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_broker.DeviceHttp, path), cts.Token);
        var body = await response.Content.ReadAsStringAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(contentType));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
            Assert.That(body, Does.Contain(excerpt));
        });
    }

    [Test]
    public async Task A_revalidation_with_the_same_etag_is_answered_304()
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        using var first = await http.GetAsync(new Uri(_broker.DeviceHttp, "situk.js"), cts.Token);
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(_broker.DeviceHttp, "situk.js"));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await http.SendAsync(again, cts.Token);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task Config_tells_the_page_where_the_api_is()
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        var config = await http.GetFromJsonAsync<Dictionary<string, string>>(new Uri(_broker.DeviceHttp, "config.json"), cts.Token);
        Assert.That(config!["apiUrl"], Is.EqualTo("http://api.example:5000"));
    }

    [TestCase("")]
    [TestCase("device.js")]
    [TestCase("config.json")]
    public async Task The_page_may_talk_only_to_itself_and_the_configured_api_and_may_not_be_framed(string path)
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_broker.DeviceHttp, path), cts.Token);
        var policy = PageHeaders.Policy(response);
        var self = _broker.DeviceEndPoint.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(policy["default-src"], Is.EqualTo(new[] { "'self'" }));
            Assert.That(policy["connect-src"], Is.EquivalentTo(new[] { "'self'", $"ws://{self}", $"wss://{self}", "http://api.example:5000" }));
            Assert.That(policy["frame-ancestors"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(policy["form-action"], Is.EqualTo(new[] { "'none'" }));
            Assert.That(PageHeaders.Single(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
            Assert.That(PageHeaders.Single(response, "Referrer-Policy"), Is.EqualTo("no-referrer"));
        });
    }

    [TestCase("")]
    [TestCase("situk.js")]
    [TestCase("config.json")]
    public async Task The_page_does_not_exist_on_the_internal_listener(string path)
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_broker.InternalHttp, path), cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
