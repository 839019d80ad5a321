using System.Net.WebSockets;
using Situk.Broker.Cluster;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>
/// Brokers on one real <c>nats-server</c>, each named by <c>Situk:Broker:NodeName</c> (<c>node-a</c>, <c>node-b</c>, …),
/// heartbeating every 200 ms and remembering a silent broker for a minute, so a broker that stops is named
/// missing for the rest of a test rather than forgotten. No API instance: management is between brokers only.
/// </summary>
internal sealed class AdminCluster : IAsyncDisposable
{
    /// <summary>How long a management request waits for the other brokers.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    private readonly List<BrokerFixture> _brokers = [];
    private readonly List<BrokerProcess> _processes = [];

    private AdminCluster(NatsServer nats) => Nats = nats;

    public NatsServer Nats { get; }

    public BrokerFixture A => _brokers[0];

    public BrokerFixture B => _brokers[1];

    public static async Task<AdminCluster> StartAsync(CancellationToken ct)
    {
        var cluster = new AdminCluster(await NatsServer.StartAsync(ct));
        await cluster.AddBrokerAsync("node-a", ct);
        await cluster.AddBrokerAsync("node-b", ct);
        return cluster;
    }

    /// <summary>Starts another broker and waits until every broker knows every other.</summary>
    public async Task<BrokerFixture> AddBrokerAsync(string node, CancellationToken ct)
    {
        var broker = await BrokerFixture.StartAsync(Settings(node)!, cancellationToken: ct);
        _brokers.Add(broker);
        await WaitUntilAllKnownAsync(ct);
        return broker;
    }

    /// <summary>
    /// Starts another broker as a child process (so a test can SIGKILL or SIGTERM it) with the same settings, and
    /// waits until the in-process brokers know it.
    /// </summary>
    public async Task<BrokerProcess> AddBrokerProcessAsync(string node, CancellationToken ct)
    {
        var broker = ChildProcesses.Broker(Settings(node).ToDictionary(s => s.Key, s => s.Value!));
        _processes.Add(broker);
        await broker.Process.StartAsync(ct);
        await WaitUntilAllKnownAsync(ct, node);
        return broker;
    }

    private Dictionary<string, string?> Settings(string node) => new()
    {
        ["Situk:Broker:NodeName"] = node,
        ["Situk:Nats:Url"] = Nats.Url,
        ["Situk:Nats:Name"] = node,
        ["Situk:Nats:AdminTimeout"] = Deadline.ToString(),
        ["Situk:Nats:AdminHeartbeat"] = "00:00:00.200",
        ["Situk:Nats:AdminNodeTtl"] = "00:01:00",
    };

    private async Task WaitUntilAllKnownAsync(CancellationToken ct, params string[] processNodes)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        foreach (var one in _brokers)
        {
            var others = _brokers.Where(b => b != one).Select(b => b.Service<Situk.Broker.Cluster.BrokerNode>().Name).Concat(processNodes).ToArray();
            while (!others.All(one.Service<Situk.Broker.Cluster.ClusterAdmin>().KnownNodes.Contains))
            {
                await Task.Delay(20, timeout.Token);
            }
        }
    }

    /// <summary>A device socket of <paramref name="userId"/> on <paramref name="broker"/>, welcome read.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(BrokerFixture broker, string userId, CancellationToken ct, string role = Roles.Asesi)
    {
        var socket = await broker.ConnectDeviceAsync(userId, role, cancellationToken: ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }

    /// <summary>A device socket opened under one device sign-in (<c>sid</c>), welcome read.</summary>
    public static async Task<ClientWebSocket> ConnectSignedInAsync(BrokerFixture broker, string userId, string signInId, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + broker.Tokens.ForSignIn(userId, signInId, TimeSpan.FromHours(1)));
        await socket.ConnectAsync(broker.DeviceUri, ct);
        await socket.ReceiveWelcomeAsync(ct);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        foreach (var broker in Enumerable.Reverse(_brokers))
        {
            await broker.DisposeAsync();
        }

        await Nats.DisposeAsync();
    }
}
