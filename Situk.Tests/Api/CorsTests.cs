using System.Net;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The broker's device page (another origin) signs in against the API from the browser.")]
public sealed class CorsTests
{
    [Test]
    public async Task Any_origin_may_call_the_api_by_default()
    {
        await using var api = await ApiFixture.StartAsync();
        using var response = await PreflightAsync(api, "http://localhost:5080");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "*" }));
            Assert.That(response.Headers.Contains("Access-Control-Allow-Credentials"), Is.False, "bearer tokens only, never cookies");
        });
    }

    [Test]
    public async Task Configured_origins_are_the_only_ones_allowed()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Api:AllowedOrigins:0"] = "https://situk.example",
        });

        using var allowed = await PreflightAsync(api, "https://situk.example");
        using var refused = await PreflightAsync(api, "https://elsewhere.example");

        Assert.Multiple(() =>
        {
            Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "https://situk.example" }));
            Assert.That(refused.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        });
    }

    private static async Task<HttpResponseMessage> PreflightAsync(ApiFixture api, string origin)
    {
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/v1/auth/token");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return await client.SendAsync(request);
    }
}
