using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

/// <summary>What a person does on the device page, shared by the browser tests.</summary>
public static class DevicePageSteps
{
    /// <summary>Opens the broker's device page against the test API and signs in; returns once the inbox shows.</summary>
    public static async Task SignInAsync(IPage page, SystemFixture system, TestUser user)
    {
        await page.GotoAsync($"{system.Broker.DeviceHttp}?api={Uri.EscapeDataString(system.Api.BaseAddress.ToString())}");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Kata sandi (password)").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Masuk" }).ClickAsync();
        await Assertions.Expect(page.Locator("#inbox")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
    }
}
