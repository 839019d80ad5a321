using Situk.Tests.Support;

namespace Situk.Tests.Browser;

/// <summary>The whole system (broker, SMTP sink, API on a fresh database) and one real Chromium, for a fixture's tests.</summary>
public abstract class SystemInChromium
{
    protected SystemFixture Stack { get; private set; } = null!;

    protected SystemBrowser Browser { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartSystemAndBrowserAsync()
    {
        Stack = await SystemFixture.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Stack.PointDevicePageAtApiAsync(timeout.Token);
        Browser = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopSystemAndBrowserAsync()
    {
        await Browser.DisposeAsync();
        await Stack.DisposeAsync();
    }
}
