using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Every POST/PUT route with a JSON body, given a body that is not what it takes — malformed, the wrong shape, the wrong "
    + "content type, nested past the depth cap, over the size limit: a 4xx problem+json naming the body, nothing stored, the API serving on.")]
public sealed class BodyHostilityTests
{
    /// <summary>Kestrel's <c>MaxRequestBodySize</c>, which the API keeps (docs/API.md).</summary>
    private const long MaxBodyBytes = 30_000_000;

    private SystemFixture _system = null!;
    private Dictionary<string, HttpClient> _callers = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _system = await SystemFixture.StartAsync();
        _callers = new()
        {
            [Roles.Admin] = _system.Api.Admin.Client,
            [Roles.Asesor] = (await _system.Api.CreateUserAsync(Roles.Asesor)).Client,
            [Roles.Asesi] = (await _system.Api.CreateUserAsync(Roles.Asesi)).Client,
        };
    }

    [OneTimeTearDown]
    public async Task Stop() => await _system.DisposeAsync();

    public static IEnumerable<TestCaseData> BadBodies()
    {
        yield return new TestCaseData("{\"name\":", "application/json", HttpStatusCode.BadRequest).SetName("Malformed JSON");
        yield return new TestCaseData("[]", "application/json", HttpStatusCode.BadRequest).SetName("An array for an object");
        yield return new TestCaseData("\"text\"", "application/json", HttpStatusCode.BadRequest).SetName("A string for an object");
        yield return new TestCaseData("null", "application/json", HttpStatusCode.BadRequest).SetName("Null for an object");
        yield return new TestCaseData(new string('[', 100) + new string(']', 100), "application/json", HttpStatusCode.BadRequest).SetName("Arrays 100 deep");
        yield return new TestCaseData("{\"x\":" + string.Concat(Enumerable.Repeat("{\"x\":", 99)) + "1" + new string('}', 100), "application/json", HttpStatusCode.BadRequest).SetName("Objects 100 deep");
        yield return new TestCaseData("{\"name\":\"x\"} trailing", "application/json", HttpStatusCode.BadRequest).SetName("Trailing bytes");
        yield return new TestCaseData("\uFEFF\uFEFF{}", "application/json", HttpStatusCode.BadRequest).SetName("Two byte-order marks");
        yield return new TestCaseData("{}", "text/plain", HttpStatusCode.UnsupportedMediaType).SetName("JSON sent as text/plain");
        yield return new TestCaseData("<a/>", "application/xml", HttpStatusCode.UnsupportedMediaType).SetName("XML");
        yield return new TestCaseData("{}", null, HttpStatusCode.UnsupportedMediaType).SetName("No content type");
    }

    [TestCaseSource(nameof(BadBodies))]
    public async Task Every_body_route_refuses_a_bad_body_with_problem_json_and_stores_nothing(string body, string? contentType, HttpStatusCode expected)
    {
        var before = await DatabaseFingerprint.TakeAsync(_system.Api);
        foreach (var route in await BodyRoutesAsync())
        {
            using var request = RequestFor(route, new ByteArrayContent(Encoding.UTF8.GetBytes(body)));
            if (contentType is not null)
            {
                request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }

            using var response = await CallerFor(route).SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(expected), $"{route}: {await response.Content.ReadAsStringAsync()}");
            await ProblemAssert.IsProblemAsync(response, expected);
        }

        await DatabaseFingerprint.AssertUnchangedAsync(_system.Api, before, "every body was refused");
        await AssertServesAsync();
    }

    [Test]
    [Description("A declared length over the limit is refused before the body is read; one that only turns out too long, while reading.")]
    public async Task A_body_over_the_size_limit_is_413_problem_and_stores_nothing()
    {
        var before = await DatabaseFingerprint.TakeAsync(_system.Api);
        var memory = MemoryBound.Measure();
        var padding = new string('x', (int)MaxBodyBytes);
        var json = Encoding.UTF8.GetBytes($$"""{"name":"{{padding}}","address":"Surabaya"}""");

        using (var declared = new HttpRequestMessage(HttpMethod.Post, "api/v1/places") { Content = new ByteArrayContent(json) })
        {
            declared.Content.Headers.ContentType = new("application/json");
            declared.Headers.ExpectContinue = true;
            using var response = await _system.Api.Admin.Client.SendAsync(declared);
            var problem = await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        using (var chunked = new HttpRequestMessage(HttpMethod.Post, "api/v1/places") { Content = new StreamContent(new MemoryStream(json)) })
        {
            chunked.Content.Headers.ContentType = new("application/json");
            chunked.Headers.TransferEncodingChunked = true;
            HttpResponseMessage? response = null;
            try
            {
                response = await _system.Api.Admin.Client.SendAsync(chunked);
            }
            catch (HttpRequestException)
            {
                // The server may answer and close while the client is still sending; then the answer cannot be read.
            }

            if (response is not null)
            {
                await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
                response.Dispose();
            }
        }

        padding = null;
        json = null;
        await DatabaseFingerprint.AssertUnchangedAsync(_system.Api, before, "oversized bodies");
        MemoryBound.AssertGrowthBounded(memory, "two bodies over 30 MB");
        await AssertServesAsync();
    }

    /// <summary>A normal call still works: the admin creates a place, and a device still receives.</summary>
    private async Task AssertServesAsync()
    {
        using var response = await _system.Api.Admin.Client.GetAsync("api/v1/places");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<List<string>> BodyRoutesAsync()
    {
        var document = await _system.Api.CreateClient().GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var routes = RequestSchemas.TextFields(document).Keys.ToList();
        Assert.That(routes, Has.Count.GreaterThan(10));
        return routes;
    }

    private static HttpRequestMessage RequestFor(string route, HttpContent content)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var path = route[(space + 2)..].Replace("{id}", "1", StringComparison.Ordinal).Replace("{docId}", "1", StringComparison.Ordinal);
        return new HttpRequestMessage(new HttpMethod(route[..space]), path) { Content = content };
    }

    private HttpClient CallerFor(string route)
    {
        string[] preference = [Roles.Admin, Roles.Asesor, Roles.Asesi];
        var allowed = RouteAccessTests.AllowedRoles(route);
        return _callers[preference.First(allowed.Contains)];
    }
}
