using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

/// <summary>What a person does on the device page, shared by the browser tests.</summary>
public static class DevicePageSteps
{
    /// <summary>
    /// Opens the broker's device page (pointed at the test API by <see cref="SystemFixture.PointDevicePageAtApiAsync"/>)
    /// and signs in; returns once the inbox shows. <paramref name="query"/> is added to the page's address.
    /// The fields are found by id, so this works in either language the page may speak.
    /// </summary>
    public static async Task SignInAsync(IPage page, SystemFixture system, TestUser user, string query = "")
    {
        await page.GotoAsync($"{system.Broker.DeviceHttp}{query}");
        await page.Locator("#email").FillAsync(user.Email);
        await page.Locator("#password").FillAsync(user.Password);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#inbox")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
    }
}
