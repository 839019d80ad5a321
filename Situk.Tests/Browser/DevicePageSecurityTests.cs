using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The device page in a real Chromium signs in only against the API the broker is configured with: an API named in the address bar is ignored, and the page's Content-Security-Policy stops any fetch elsewhere.")]
public sealed class DevicePageSecurityTests : SystemInChromium
{
    [Test]
    public async Task An_api_named_in_the_address_bar_gets_no_request_and_the_sign_in_goes_to_the_configured_api()
    {
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        var evil = $"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}";
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);

        await DevicePageSteps.SignInAsync(page, Stack, asesi, $"?api={Uri.EscapeDataString(evil)}");
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");

        var api = Stack.Api.BaseAddress.ToString().TrimEnd('/');
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Some.EqualTo($"{api}/api/v1/auth/token"), "signed in against the configured API");
            Assert.That(requests.Where(u => u.StartsWith(evil, StringComparison.Ordinal)), Is.Empty, "nothing asked of the address-bar API");
            Assert.That(elsewhere.Pending(), Is.False, "no connection reached the address-bar API");
        });
    }

    [Test]
    public async Task A_fetch_to_another_origin_is_blocked_by_the_pages_policy()
    {
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        var evil = $"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/api/v1/auth/token";
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Stack.Broker.DeviceHttp.ToString());

        var outcome = await page.EvaluateAsync<string>(
            "url => fetch(url, { method: 'POST', body: 'password' }).then(() => 'sent', e => 'blocked: ' + e.name)", evil);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Does.StartWith("blocked"));
            Assert.That(elsewhere.Pending(), Is.False, "no connection left the page");
        });
    }
}
