using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("Deactivating a user closes their open device sockets through the real broker, promptly, with the kick's close code.")]
public sealed class DeactivationKickTests : WholeSystemTests
{
    [Test]
    public async Task Every_open_device_of_a_deactivated_user_is_closed_with_4003_within_two_seconds_and_others_stay()
    {
        using var cts = Timeouts.Generous();
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var bystander = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var phone = await Stack.ConnectDeviceAsync(asesi, cts.Token);
        using var laptop = await Stack.ConnectDeviceAsync(asesi, cts.Token);
        using var other = await Stack.ConnectDeviceAsync(bystander, cts.Token);

        var clock = Stopwatch.StartNew();
        using var deactivated = await Stack.Api.Admin.Client.PostAsJsonAsync($"api/v1/users/{asesi.Id}/deactivation", new { }, cts.Token);
        // A close that waited for a ping timeout or a token's expiry would take 30 s or more; 2 s is ample on a busy machine.
        using var prompt = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        prompt.CancelAfter(TimeSpan.FromSeconds(2));
        var codes = await Task.WhenAll(phone.ReceiveCloseAsync(prompt.Token), laptop.ReceiveCloseAsync(prompt.Token));
        clock.Stop();

        Assert.That(deactivated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deactivated.Content.ReadAsStringAsync(cts.Token));
        var body = await deactivated.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("socketsClosed").GetBoolean(), Is.True);
            Assert.That(body.GetProperty("closedSessions").GetInt32(), Is.EqualTo(2));
            Assert.That(codes, Is.All.EqualTo(CloseCodes.KickedByAdmin));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(other.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open), "another user's device is left alone");
        });
    }
}
