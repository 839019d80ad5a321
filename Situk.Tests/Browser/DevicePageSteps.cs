using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

/// <summary>What a person does on the device page, shared by the browser tests.</summary>
public static class DevicePageSteps
{
    /// <summary>
    /// Opens the broker's device page (pointed at the test API by <see cref="SystemFixture.PointDevicePageAtApiAsync"/>)
    /// and signs in; returns once the inbox shows. <paramref name="query"/> is added to the page's address.
    /// </summary>
    public static async Task SignInAsync(IPage page, SystemFixture system, TestUser user, string query = "")
    {
        await page.GotoAsync($"{system.Broker.DeviceHttp}{query}");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Kata sandi (password)").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Masuk" }).ClickAsync();
        await Assertions.Expect(page.Locator("#inbox")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
    }
}
