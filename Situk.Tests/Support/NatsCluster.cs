namespace Situk.Tests.Support;

/// <summary>
/// A NATS cluster of real <c>nats-server</c> processes on free loopback ports (client, route and monitoring
/// port each), every server soliciting routes to all the others, named <c>situk-test-nats-1</c>…; started
/// when every server has a route to each other one. Each Situk process is given every server's URL with its
/// home server first (<see cref="UrlsFor"/>), as <c>./build.sh --target=Up</c> does.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private NatsCluster(IReadOnlyList<NatsServer> servers) => Servers = servers;

    /// <summary>The servers, in the order of their names.</summary>
    public IReadOnlyList<NatsServer> Servers { get; }

    public static async Task<NatsCluster> StartAsync(int size, CancellationToken ct)
    {
        var ports = PostgresServer.FreeTcpPorts(3 * size);
        var clusterPorts = Enumerable.Range(0, size).Select(i => ports[(3 * i) + 2]).ToList();
        var servers = new List<NatsServer>();
        var cluster = new NatsCluster(servers);
        try
        {
            for (var i = 0; i < size; i++)
            {
                servers.Add(await NatsServer.StartRoutedAsync(
                    $"situk-test-nats-{i + 1}", ports[3 * i], ports[(3 * i) + 1], clusterPorts[i], clusterPorts.Where((_, j) => j != i), ct));
            }

            await cluster.WaitUntilRoutedAsync(servers, ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every server's URL, comma-separated, starting with server <paramref name="home"/> and going round from there.</summary>
    public string UrlsFor(int home) =>
        string.Join(',', Servers.Skip(home % Servers.Count).Concat(Servers.Take(home % Servers.Count)).Select(s => s.Url));

    /// <summary>Waits (at most 20 s) until each of <paramref name="servers"/> has a route to every other server that is in it.</summary>
    public async Task WaitUntilRoutedAsync(IReadOnlyList<NatsServer> servers, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        foreach (var server in servers)
        {
            while (await RoutesOrNoneAsync(server, timeout.Token) < servers.Count - 1)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<int> RoutesOrNoneAsync(NatsServer server, CancellationToken ct)
    {
        try
        {
            return await server.RoutesAsync(ct);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
