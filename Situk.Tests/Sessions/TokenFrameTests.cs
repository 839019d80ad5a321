using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Sessions;

[Description("A device hands the broker a fresh token over its open socket (token frame): the same user's token moves the session's expiry, anything else is refused with a defined answer.")]
public sealed class TokenFrameTests
{
    private FakeTimeProvider _clock = null!;
    private BrokerFixture _broker = null!;
    private TestTokens _tokens = null!;

    [SetUp]
    public async Task StartAsync()
    {
        // Token expiry runs on this clock: tests move past an expiry at once instead of waiting for it.
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _broker = await BrokerFixture.StartAsync(
            new Dictionary<string, string?> { ["Situk:Broker:InboundFrameBurst"] = "5", ["Situk:Broker:InboundFramesPerSecond"] = "1" },
            b => b.Services.AddSingleton<TimeProvider>(_clock));
        _tokens = new TestTokens(_broker.Tokens.SigningKey, time: _clock);
    }

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    [Description("The first token lasts 5 minutes; a 60-minute one sent before that keeps the session open past the 5th minute (a notification still arrives), and it closes with 4001 only after the 60th.")]
    public async Task Token_frame_before_expiry_keeps_the_session_open_past_the_first_tokens_expiry()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("70", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        var renewed = _tokens.ForSignIn("70", "sign-in-a", TimeSpan.FromMinutes(60));
        await socket.SendFrameAsync(new TokenFrame(renewed), cts.Token);
        var ok = (TokenOkFrame)await socket.ReceiveDeviceFrameAsync(cts.Token);
        Assert.That(ok.ExpiresAt, Is.EqualTo(_clock.GetUtcNow().AddMinutes(60)).Within(TimeSpan.FromSeconds(1)));

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.That(await _broker.PublishAsync(Audience.Users("70"), "after the first expiry", cts.Token), Is.EqualTo(1));
        Assert.That((await socket.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("after the first expiry"));

        _clock.Advance(TimeSpan.FromMinutes(55));
        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.TokenExpired));
    }

    [Test]
    public async Task Device_that_does_not_refresh_is_closed_with_4001_when_its_token_expires()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("71", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.TokenExpired));
        Assert.That(socket.CloseStatusDescription, Is.EqualTo("token expired"));
    }

    [Test]
    [Description("A socket never changes hands: a valid token for another user closes it with 1008, and that user gains no session.")]
    public async Task Token_for_another_user_closes_the_socket_with_1008()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("72", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        await socket.SendFrameAsync(new TokenFrame(_tokens.ForSignIn("73", "sign-in-b", TimeSpan.FromMinutes(60))), cts.Token);

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
        Assert.That(socket.CloseStatusDescription, Is.EqualTo("token for another user"));
        Assert.That(await _broker.SessionsAsync("73", cts.Token), Is.Empty);
    }

    [Test]
    [Description("Same user, other role: the role decides which publishes reach the socket, so it is refused like another user.")]
    public async Task Token_for_the_same_user_in_another_role_closes_the_socket_with_1008()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("74", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        await socket.SendFrameAsync(new TokenFrame(_tokens.ForSignIn("74", "sign-in-a", TimeSpan.FromMinutes(60), Roles.Admin)), cts.Token);

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
    }

    [TestCase("not-a-jwt", "malformed token")]
    [TestCase("", "no token")]
    [TestCase(null, "no token")]
    [TestCase("expired", "expired token")]
    [TestCase("wrong-key", "SecurityTokenSignatureKeyNotFoundException")]
    [Description("A token that is not valid is answered with token-refused; the session keeps its current token and still closes with 4001 when that one expires.")]
    public async Task Invalid_token_is_refused_with_a_frame_and_the_session_keeps_its_old_expiry(string? sent, string reason)
    {
        using var cts = Timeouts.Generous();
        var first = _clock.GetUtcNow().AddMinutes(5);
        using var socket = await ConnectAsync(_tokens.ForSignIn("75", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);
        var token = sent switch
        {
            "expired" => _tokens.Expired("75"),
            "wrong-key" => _tokens.WithWrongKey("75"),
            _ => sent,
        };

        await socket.SendFrameAsync(new TokenFrame(token), cts.Token);

        var refused = (TokenRefusedFrame)await socket.ReceiveDeviceFrameAsync(cts.Token);
        Assert.That(refused.Reason, Is.EqualTo(reason));
        Assert.That(refused.ExpiresAt, Is.EqualTo(first).Within(TimeSpan.FromSeconds(1)));
        Assert.That(await _broker.PublishAsync(Audience.Users("75"), "still open", cts.Token), Is.EqualTo(1));
        Assert.That((await socket.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("still open"));

        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.TokenExpired));
    }

    [Test]
    [Description("A token frame is bounded like every frame: past MaxFrameBytes (4096) it closes with 1009 before the token is looked at.")]
    public async Task Oversized_token_frame_closes_with_1009()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("76", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        await socket.SendTextAsync("{\"type\":\"token\",\"token\":\"" + new string('a', 5000) + "\"}", cts.Token);

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.MessageTooBig));
    }

    [Test]
    [Description("Token frames take from the same per-session inbound budget as acks (here a burst of 5 and 1 a second): a flood of them closes with 1008 inbound frame rate.")]
    public async Task Token_frames_count_toward_the_inbound_budget()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("77", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);

        for (var i = 0; i < 10; i++)
        {
            await socket.SendFrameAsync(new TokenFrame("not-a-jwt"), cts.Token);
        }

        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
        Assert.That(socket.CloseStatusDescription, Is.EqualTo("inbound frame rate"));
    }

    [Test]
    [Description("DELETE /admin/users/{userId}/signins/{sid}/sessions closes that sign-in's sessions with 4004; the user's other sign-in keeps its socket, and a token frame moves a socket to the sign-in its new token names.")]
    public async Task Signing_out_one_sign_in_closes_only_its_sockets()
    {
        using var cts = Timeouts.Generous();
        using var phone = await ConnectAsync(_tokens.ForSignIn("78", "sign-in-phone", TimeSpan.FromMinutes(5)), cts.Token);
        using var laptop = await ConnectAsync(_tokens.ForSignIn("78", "sign-in-old", TimeSpan.FromMinutes(5)), cts.Token);
        await laptop.SendFrameAsync(new TokenFrame(_tokens.ForSignIn("78", "sign-in-laptop", TimeSpan.FromMinutes(60))), cts.Token);
        Assert.That(await laptop.ReceiveDeviceFrameAsync(cts.Token), Is.TypeOf<TokenOkFrame>());

        using var admin = _broker.CreateAdminClient();
        using var signedOut = await admin.DeleteAsync("admin/users/78/signins/sign-in-laptop/sessions", cts.Token);
        signedOut.EnsureSuccessStatusCode();
        using var stale = await admin.DeleteAsync("admin/users/78/signins/sign-in-old/sessions", cts.Token);

        Assert.That(await laptop.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.SignedOut));
        Assert.That(laptop.CloseStatusDescription, Is.EqualTo("signed out"));
        Assert.That(await stale.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, cts.Token), Is.EqualTo(new ClosedCount(0)), "the laptop left its first sign-in with the token frame");
        Assert.That(await _broker.PublishAsync(Audience.Users("78"), "phone only", cts.Token), Is.EqualTo(1));
        Assert.That((await phone.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("phone only"));
    }

    [Test]
    public async Task Sign_out_route_needs_the_admin_key()
    {
        using var cts = Timeouts.Generous();
        using var socket = await ConnectAsync(_tokens.ForSignIn("79", "sign-in-a", TimeSpan.FromMinutes(5)), cts.Token);
        using var anonymous = new HttpClient { BaseAddress = _broker.InternalHttp };

        using var response = await anonymous.DeleteAsync("admin/users/79/signins/sign-in-a/sessions", cts.Token);

        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        Assert.That(await _broker.SessionsAsync("79", cts.Token), Has.Length.EqualTo(1));
    }

    private async Task<ClientWebSocket> ConnectAsync(string token, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(_broker.DeviceUri, ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }
}
