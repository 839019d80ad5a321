using System.Net.Http.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Sessions;

[Description("Situk.Client with a sign-in against the whole system, access tokens living 15 s: it refreshes before expiry and keeps one socket open past many tokens, and stops with SignedOut when its sign-in ends.")]
public sealed class ClientRefreshTests
{
    // 15 s: the client refreshes at about 80 % of a token's life, which leaves a 6 s token about a second for
    // the refresh call; slower than that on a busy machine, the broker rightly closed with 4001 and the client
    // reconnected on a new socket, which this test reads as a second socket.
    private static readonly TimeSpan TokenLife = TimeSpan.FromSeconds(15);
    private SystemFixture _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await SystemFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:Jwt:Lifetime"] = TokenLife.ToString(),
    });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    [Test]
    [Description("Refreshes at about 80% of each 15 s token and hands the new one to the socket: past the first token's expiry the same session is still open and receives.")]
    public async Task The_client_refreshes_before_expiry_and_keeps_one_session_open()
    {
        // Two refreshes of a 15 s token take about 25 s.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var user = await _system.Api.CreateUserAsync(Roles.Asesi);
        using var http = new HttpClient();
        var signIn = await SitukSignIn.SignInAsync(http, _system.Api.BaseAddress, user.Email, user.Password, cancellationToken: cts.Token);
        var firstExpiry = signIn.ExpiresAt;
        var refreshes = 0;
        await using var client = NewClient(signIn);
        client.TokenRefreshed += _ => Interlocked.Increment(ref refreshes);
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var session = client.SessionId;

        await AdminCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref refreshes) >= 2 && DateTimeOffset.UtcNow > firstExpiry + TimeSpan.FromSeconds(1)), cts.Token);
        var id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(await _system.Broker.PublishAsync(Audience.Users(id), "after two refreshes", cts.Token), Is.EqualTo(1));
        var received = await client.Notifications.ReadAsync(cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(received.Title, Is.EqualTo("after two refreshes"));
            Assert.That(client.SessionId, Is.EqualTo(session), "the same socket all along");
            Assert.That(client.Connections, Is.EqualTo(1));
            Assert.That(client.State, Is.EqualTo(ClientState.Open));
            Assert.That(signIn.ExpiresAt, Is.GreaterThan(firstExpiry));
        });
    }

    [Test]
    [Description("Signed out through the API with the client's own token: the broker closes with 4004 and the client stops there instead of reconnecting.")]
    public async Task A_client_whose_sign_in_is_ended_stops_with_signed_out()
    {
        using var cts = Timeouts.Generous();
        var user = await _system.Api.CreateUserAsync(Roles.Asesi);
        using var http = new HttpClient();
        var signIn = await SitukSignIn.SignInAsync(http, _system.Api.BaseAddress, user.Email, user.Password, cancellationToken: cts.Token);
        await using var client = NewClient(signIn);
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var signedOut = client.WaitForStateAsync(ClientState.SignedOut, cts.Token);

        using var response = await _system.Api.CreateClient(signIn.AccessToken).PostAsync("api/v1/auth/sign-out", null, cts.Token);
        response.EnsureSuccessStatusCode();

        await signedOut;
        Assert.That(client.Connections, Is.EqualTo(1), "no reconnect after 4004");
    }

    [Test]
    [Description("Someone else used the client's refresh token first: the client's own refresh is a reuse, refused with 401, and the client says SignedOut instead of retrying.")]
    public async Task A_client_whose_refresh_is_refused_stops_with_signed_out()
    {
        using var cts = Timeouts.Generous();
        var user = await _system.Api.CreateUserAsync(Roles.Asesi);
        using var http = new HttpClient();
        var signIn = await SitukSignIn.SignInAsync(http, _system.Api.BaseAddress, user.Email, user.Password, cancellationToken: cts.Token);
        await using var client = NewClient(signIn);
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var signedOut = client.WaitForStateAsync(ClientState.SignedOut, cts.Token);

        using var stolen = await _system.Api.CreateClient().PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken = signIn.RefreshToken }, cts.Token);
        stolen.EnsureSuccessStatusCode();

        await signedOut;
        var id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AdminCalls.EventuallyAsync(async () => (await _system.Broker.SessionsAsync(id, cts.Token)).Length == 0, cts.Token);
        Assert.That(client.State, Is.EqualTo(ClientState.SignedOut));
    }

    private SitukDeviceClient NewClient(SitukSignIn signIn) => new(new SitukClientOptions
    {
        BrokerUrl = _system.Broker.DeviceUri,
        ApiUrl = _system.Api.BaseAddress,
        SignIn = signIn,
        DeviceClass = DeviceClasses.Desktop,
    });
}
