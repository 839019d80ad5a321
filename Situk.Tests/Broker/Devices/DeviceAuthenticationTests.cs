using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Devices;

[Description("GET /ws: every token problem is an HTTP answer before any upgrade; a token that runs out while connected closes with 4001.")]
public sealed class DeviceAuthenticationTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:Broker:AllowedOrigins"] = "https://app.situk.example, https://admin.situk.example",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Missing_token_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        Assert.That(await _broker.TryConnectDeviceAsync(cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Malformed_token_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: "not.a-jwt", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_signed_with_another_key_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.WithWrongKey("7");
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Expired_token_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.Expired("7");
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_for_another_audience_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.WithWrongAudience("7");
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_from_another_issuer_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.WithWrongIssuer("7");
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Token_without_a_known_role_is_refused_before_upgrade()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.Create("7", role: "superuser", DateTimeOffset.UtcNow.AddHours(1));
        Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Valid_token_in_the_query_string_is_accepted()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.Issue("7");
        Assert.That(await _broker.TryConnectDeviceAsync(queryToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }

    [Test]
    public async Task Browser_origin_outside_the_allowed_list_is_refused_with_403()
    {
        using var cts = Timeouts.Generous();
        var token = _broker.Tokens.Issue("7");
        Assert.Multiple(async () =>
        {
            Assert.That(await _broker.TryConnectDeviceAsync(queryToken: token, origin: "https://evil.example", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await _broker.TryConnectDeviceAsync(queryToken: token, origin: "https://admin.situk.example", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
            Assert.That(await _broker.TryConnectDeviceAsync(queryToken: token, origin: $"http://{_broker.DeviceEndPoint}", cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "the broker's own page");
        });
    }

    [Test]
    [Description("Time is a FakeTimeProvider: the session's expiry timer fires when the clock passes exp, not after a real wait.")]
    public async Task Session_whose_token_expires_while_connected_is_closed_with_4001()
    {
        using var cts = Timeouts.Generous();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var broker = await BrokerFixture.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        var token = broker.Tokens.Create("8", Roles.Asesi, clock.GetUtcNow().AddMinutes(5));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(broker.DeviceUri, cts.Token);
        await socket.ReceiveWelcomeAsync(cts.Token);

        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.TokenExpired));
    }
}
