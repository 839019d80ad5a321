using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The device page in a real Chromium, at phone size: labelled controls, state in words.")]
public sealed class DevicePageLayoutTests
{
    private BrokerFixture _broker = null!;
    private SystemBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _broker = await BrokerFixture.StartAsync();
        _browser = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Test]
    public async Task The_sign_in_form_is_labelled_and_fits_a_phone()
    {
        await using var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 360, Height = 740 }, Locale = "id-ID" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_broker.DeviceHttp.ToString());

        var email = page.GetByLabel("Email");
        var password = page.GetByLabel("Kata sandi");
        var device = page.GetByLabel("Jenis perangkat");
        var state = page.GetByRole(AriaRole.Status);
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");

        Assert.Multiple(async () =>
        {
            Assert.That(await email.IsVisibleAsync(), Is.True);
            Assert.That(await password.GetAttributeAsync("type"), Is.EqualTo("password"));
            Assert.That(await device.InputValueAsync(), Is.EqualTo("web"));
            Assert.That(await state.InnerTextAsync(), Does.Contain("Belum masuk"));
            Assert.That(scrollWidth, Is.LessThanOrEqualTo(360), "no sideways scrolling on a phone");
        });
    }
}
