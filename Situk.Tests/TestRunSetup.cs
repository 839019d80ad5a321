using Situk.Tests.Support;

namespace Situk.Tests;

/// <summary>Once per run: stops the PostgreSQL cluster the run started for itself, if it did.</summary>
[SetUpFixture]
public sealed class TestRunSetup
{
    [OneTimeTearDown]
    public async Task StopOwnedServers() => await PostgresServer.StopOwnedAsync();
}
