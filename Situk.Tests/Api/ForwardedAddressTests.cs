using System.Net;
using System.Net.Http.Json;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Behind a TLS proxy every request comes from the proxy's socket: per-address limits count the forwarded client address, but only when the proxy is a configured one.")]
public sealed class ForwardedAddressTests
{
    [Test]
    public async Task Behind_a_known_proxy_each_forwarded_client_has_its_own_failure_budget()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:RateLimit:TokenPerAddress"] = "3",
            ["Situk:Proxy:KnownProxies:0"] = "127.0.0.1",
        });

        var guesser = await FailuresAsync(api, "203.0.113.10", 4);
        var neighbour = await FailuresAsync(api, "203.0.113.11", 1);

        Assert.That(guesser, Is.EqualTo(new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.That(neighbour, Is.EqualTo(new[] { HttpStatusCode.Unauthorized }), "another client behind the same proxy is not limited by the first");
    }

    [Test]
    public async Task Forwarded_headers_from_a_peer_that_is_not_a_known_proxy_are_ignored()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:RateLimit:TokenPerAddress"] = "3" });

        // Each request claims another client address; none of it is believed, so they share one budget.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            answers.AddRange(await FailuresAsync(api, $"198.51.100.{i + 1}", 1));
        }

        Assert.That(answers[3], Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Ipv6_clients_are_counted_per_64()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:RateLimit:TokenPerAddress"] = "3",
            ["Situk:Proxy:KnownNetworks:0"] = "127.0.0.0/8",
        });

        // One subscriber's /64: a new address for each guess does not buy a new budget.
        var sameNetwork = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            sameNetwork.AddRange(await FailuresAsync(api, $"2001:db8:aa:1::{i + 1:x}", 1));
        }

        var otherNetwork = await FailuresAsync(api, "2001:db8:aa:2::1", 1);

        Assert.That(sameNetwork[3], Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(otherNetwork, Is.EqualTo(new[] { HttpStatusCode.Unauthorized }));
    }

    [Test]
    public async Task A_bad_proxy_setting_stops_the_api_at_start_naming_the_key()
    {
        var failure = Assert.CatchAsync(async () =>
        {
            await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Proxy:KnownNetworks:0"] = "10.0.0.0/99" });
        });

        Assert.That(failure!.Message, Does.Contain("Situk:Proxy:KnownNetworks"));
    }

    private static async Task<List<HttpStatusCode>> FailuresAsync(ApiFixture api, string forwardedFor, int count)
    {
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/token")
            {
                Content = JsonContent.Create(new { email = $"nobody-{Guid.NewGuid():N}@situk.test", password = "password-1" }),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        return answers;
    }
}
