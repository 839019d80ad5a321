using Microsoft.Playwright;

namespace Situk.Tests.Support;

/// <summary>
/// The system Chromium, driven by Playwright; never a downloaded browser. <c>eng/chromium.sh</c> finds
/// it (installing Debian's chromium as root when missing); <c>SITUK_CHROMIUM</c> names another binary.
/// </summary>
public static class Chromium
{
    // Headless, and without the background networking that a closed network refuses at every start.
    private static readonly string[] Flags =
    [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
    ];

    /// <summary>Starts Playwright and a fresh Chromium; dispose it when done.</summary>
    public static async Task<SystemBrowser> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("SITUK_CHROMIUM") is { Length: > 0 } given
            ? given
            : await RunChromiumScriptAsync();
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Flags,
            });
            return new SystemBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Saves what the browser shows under artifacts/screenshots, beside the test results.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
    }

    private static async Task<string> RunChromiumScriptAsync()
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "eng", "chromium.sh"));
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException("No Chromium for the browser tests: " + error);
    }
}

/// <summary>Playwright and the Chromium it drives, disposed together.</summary>
public sealed class SystemBrowser(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
{
    public Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null) => browser.NewContextAsync(options);

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
