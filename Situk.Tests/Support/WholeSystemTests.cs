namespace Situk.Tests.Support;

/// <summary>
/// The whole system (broker, SMTP sink, API on a fresh database), started once for a fixture's tests
/// and stopped after the last of them.
/// </summary>
public abstract class WholeSystemTests
{
    protected SystemFixture Stack { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartSystemAsync() => Stack = await SystemFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopSystemAsync()
    {
        // Null when the start itself failed; NUnit still runs the teardown.
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }
}
