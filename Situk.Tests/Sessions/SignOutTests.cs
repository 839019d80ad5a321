using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Sessions;

[Description("Signing out one device ends that sign-in everywhere it matters: its refresh tokens stop working and the broker closes its sockets with 4004, while the user's other devices stay connected.")]
public sealed class SignOutTests : WholeSystemTests
{
    [Test]
    public async Task Signing_out_one_device_closes_its_socket_and_the_other_device_keeps_receiving()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var phone = await SignInAsync(user);
        var laptop = await SignInAsync(user);
        using var phoneSocket = await ConnectAsync(phone.AccessToken, cts.Token);
        using var laptopSocket = await ConnectAsync(laptop.AccessToken, cts.Token);

        using var signOut = await Stack.Api.CreateClient(laptop.AccessToken).PostAsync("api/v1/auth/sign-out", null, cts.Token);

        Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await laptopSocket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.SignedOut));
        using var refresh = await RefreshAsync(laptop.RefreshToken, cts.Token);
        var problem = await ProblemAssert.IsProblemAsync(refresh, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Signed out"));

        var id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(await Stack.Broker.PublishAsync(Audience.Users(id), "still here", cts.Token), Is.EqualTo(1));
        Assert.That((await phoneSocket.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("still here"));
        using var phoneRefresh = await RefreshAsync(phone.RefreshToken, cts.Token);
        Assert.That(phoneRefresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the other sign-in still refreshes");

        using var again = await Stack.Api.CreateClient(laptop.AccessToken).PostAsync("api/v1/auth/sign-out", null, cts.Token);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "signing out twice is harmless");
    }

    [Test]
    [Description("A used refresh token presented again: the API revokes the family and has the broker close the socket that sign-in holds open.")]
    public async Task Reusing_a_refresh_token_closes_the_socket_of_its_sign_in()
    {
        using var cts = Timeouts.Generous();
        var user = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var signedIn = await SignInAsync(user);
        using var rotated = await RefreshAsync(signedIn.RefreshToken, cts.Token);
        var current = (await rotated.Content.ReadFromJsonAsync<TokenResponse>(cts.Token))!;
        using var socket = await ConnectAsync(current.AccessToken, cts.Token);

        using var reused = await RefreshAsync(signedIn.RefreshToken, cts.Token);

        Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.SignedOut));
    }

    private async Task<TokenResponse> SignInAsync(TestUser user)
    {
        using var response = await Stack.Api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = user.Email, password = user.Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private Task<HttpResponseMessage> RefreshAsync(string? refreshToken, CancellationToken ct) =>
        Stack.Api.CreateClient().PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken }, ct);

    private async Task<ClientWebSocket> ConnectAsync(string token, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(Stack.Broker.DeviceUri, ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }
}
