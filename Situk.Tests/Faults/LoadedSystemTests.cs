namespace Situk.Tests.Faults;

/// <summary>
/// A <see cref="LoadedSystem"/> with <c>devices</c> device clients, started once for a fixture's tests
/// and stopped after the last of them; a failed test shows the tail of the broker's and API's output.
/// </summary>
public abstract class LoadedSystemTests(int devices)
{
    private protected LoadedSystem Stack { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartLoadedSystemAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Stack = await LoadedSystem.StartAsync(devices, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopLoadedSystemAsync()
    {
        // Null when the start itself failed; NUnit still runs the teardown.
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    [TearDown]
    public void ShowChildOutputOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"API output, last lines:{Environment.NewLine}{Stack.Api.Process.Tail()}");
            TestContext.Out.WriteLine($"Broker output, last lines:{Environment.NewLine}{Stack.Broker.Process.Tail()}");
        }
    }
}
