using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Api;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Failover;

[Description("The sign-in and refresh answers list every broker, so a device can move to a live one when its broker fails.")]
public sealed class BrokerListSignInTests
{
    private const string First = "wss://broker-a.situk.test/ws";
    private const string Second = "wss://broker-b.situk.test/ws";

    [Test]
    public async Task Sign_in_and_refresh_list_the_configured_brokers_with_the_first_as_brokerUrl()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Api:PublicBrokerUrls:0"] = First,
            ["Situk:Api:PublicBrokerUrls:1"] = Second,
        });
        var asesi = await api.CreateUserAsync(Roles.Asesi);

        var signIn = await SignInAsync(api, asesi);
        var refresh = await api.CreateClient().PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken = signIn.RefreshToken });
        var refreshed = (await refresh.Content.ReadFromJsonAsync<TokenResponse>())!;

        Assert.Multiple(() =>
        {
            Assert.That(signIn.BrokerUrls, Is.EqualTo(new[] { First, Second }));
            Assert.That(signIn.BrokerUrl, Is.EqualTo(First));
            Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refreshed.BrokerUrls, Is.EqualTo(new[] { First, Second }));
            Assert.That(refreshed.BrokerUrl, Is.EqualTo(First));
        });
    }

    [Test]
    public async Task With_only_the_single_url_configured_the_list_holds_just_that_url()
    {
        await using var api = await ApiFixture.StartAsync();
        var asesi = await api.CreateUserAsync(Roles.Asesi);

        var signIn = await SignInAsync(api, asesi);

        Assert.That(signIn.BrokerUrls, Is.EqualTo(new[] { "ws://127.0.0.1:5080/ws" }));
        Assert.That(signIn.BrokerUrl, Is.EqualTo("ws://127.0.0.1:5080/ws"));
    }

    [TestCase("Situk:Api:PublicBrokerUrls:1", "http://broker-b.situk.test/ws", "PublicBrokerUrls:1")]
    [TestCase("Situk:Api:PublicBrokerUrls:1", "/ws", "PublicBrokerUrls:1")]
    [TestCase("Situk:Api:PublicBrokerUrl", "broker.situk.test:5080", "PublicBrokerUrl")]
    public void A_broker_url_that_is_not_an_absolute_socket_url_stops_the_api_at_start_naming_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = "Host=127.0.0.1;Port=9;Username=nobody;Timeout=1",
            ["Situk:Jwt:SigningKey"] = ApiFixture.SigningKey,
            ["Situk:Api:PublicBrokerUrls:0"] = First,
            [key] = value,
        };

        // The options are first read while the pipeline is built, before the database is touched.
        var error = Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = ApiApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            await ApiApp.PrepareAsync(app);
        });

        Assert.That(error!.Message, Does.Contain("Situk:Api:" + named).And.Contain("ws://"));
    }

    private static async Task<TokenResponse> SignInAsync(ApiFixture api, TestUser user)
    {
        var response = await api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = user.Email, password = user.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }
}
