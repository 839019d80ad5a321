using Situk.Tests.Support;

namespace Situk.Tests.Api;

/// <summary>
/// The API on a fresh database (no broker, no mail server), started once for a fixture's tests and
/// stopped after the last of them, with a <c>Scenario</c> that walks registrations
/// through the process on it.
/// </summary>
public abstract class ApiTests
{
    protected ApiFixture Api { get; private set; } = null!;

    protected Scenario Scenario { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartApiAsync()
    {
        Api = await ApiFixture.StartAsync();
        Scenario = new Scenario(Api);
    }

    [OneTimeTearDown]
    public async Task StopApiAsync()
    {
        // Null when the start itself failed; NUnit still runs the teardown.
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }
    }
}
