// The local cluster `./build.sh --target=Up --brokers=N --apis=M [--nats=K]` runs instead of the single broker
// and API: a NATS cluster of K routed nats-servers (3 by default, so no one of them carries all traffic; 1 for
// a single server), N brokers and M API instances on their own ports, and one nginx in front of each
// group on the ports the single-node Up uses (devices and the device page on the device port, REST and
// the dashboard on the API port), so every URL a user types stays the same. PostgreSQL and the mail
// catcher are DevSystem's, as in the single-node Up.

using System.Net;

/// <summary>How many brokers, API instances and nats-servers Up starts; 1 and 1 is the single-node Up (no NATS, no nginx).</summary>
public sealed record DevTopology(int Brokers, int Apis, int Nats = 3)
{
    // Node ports are the base port + 100 × the node's number, so up to 9 of each stay apart.
    public const int MaxNodes = 9;

    public bool IsCluster => Brokers > 1 || Apis > 1;

    // nats-server ports are the base port + the server's number - 1, so a handful stay apart.
    public const int MaxNats = 5;

    public static DevTopology From(int brokers, int apis, int nats = 3)
    {
        if (brokers is < 1 or > MaxNodes) throw new Exception($"--brokers={brokers}: give 1 to {MaxNodes}.");
        if (apis is < 1 or > MaxNodes) throw new Exception($"--apis={apis}: give 1 to {MaxNodes}.");
        if (nats is < 1 or > MaxNats) throw new Exception($"--nats={nats}: give 1 to {MaxNats}.");
        return new DevTopology(brokers, apis, nats);
    }
}

public sealed class DevCluster
{
    private static readonly int NatsPort = DevSystem.PortFrom("SITUK_DEV_NATS_PORT", 4222);
    private static readonly int NatsMonitorPort = DevSystem.PortFrom("SITUK_DEV_NATS_MONITOR_PORT", 8222);
    private static readonly int NatsRoutePort = DevSystem.PortFrom("SITUK_DEV_NATS_ROUTE_PORT", 6222);

    private readonly DevTopology _topology;
    private readonly string _root, _run, _nats, _nginx;

    public DevCluster(DevTopology topology, string root, string run, string natsServer, string nginx)
    {
        _topology = topology;
        _root = root;
        _run = run;
        _nats = natsServer;
        _nginx = nginx;
    }

    private static int BrokerDevicePort(int node) => DevSystem.DevicePort + 100 * node;
    private static int BrokerInternalPort(int node) => DevSystem.InternalPort + 100 * node;
    private static int ApiNodePort(int node) => DevSystem.ApiPort + 100 * node;
    // nats-server k (1…): client, monitoring and route port are each base port + k - 1.
    private static int NatsClientPort(int server) => NatsPort + server - 1;
    private static int NatsMonitorPortOf(int server) => NatsMonitorPort + server - 1;
    private static int NatsRoutePortOf(int server) => NatsRoutePort + server - 1;
    private IEnumerable<int> NatsServers => Enumerable.Range(1, _topology.Nats);

    // Every server's URL, the process's home server first and the others after it in turn; NATS.Net tries them
    // in this order (randomisation off), so node n lives on server ((n - 1) mod K) + 1 and fails over predictably.
    private string NatsUrlsFor(int node)
    {
        var home = (node - 1) % _topology.Nats;
        return string.Join(",", NatsServers.Skip(home).Concat(NatsServers.Take(home)).Select(k => $"nats://127.0.0.1:{NatsClientPort(k)}"));
    }
    private IEnumerable<int> Brokers => Enumerable.Range(1, _topology.Brokers);
    private IEnumerable<int> Apis => Enumerable.Range(1, _topology.Apis);

    /// <summary>The ports the cluster binds besides the mail catcher's and PostgreSQL's, each with the variable that moves it.</summary>
    public static IReadOnlyList<DevPorts.Port> PortsOf(DevTopology topology)
    {
        var ports = new List<DevPorts.Port>
        {
            new(DevSystem.ApiPort, "the API load balancer", "SITUK_DEV_API_PORT", IPAddress.Any),
            new(DevSystem.DevicePort, "the broker load balancer", "SITUK_DEV_DEVICE_PORT", IPAddress.Any),
        };
        foreach (var k in Enumerable.Range(1, topology.Nats))
        {
            ports.Add(new(NatsClientPort(k), $"nats-server {k} (SITUK_DEV_NATS_PORT + {k - 1})", "SITUK_DEV_NATS_PORT", IPAddress.Loopback));
            ports.Add(new(NatsMonitorPortOf(k), $"nats-server {k}'s monitoring (SITUK_DEV_NATS_MONITOR_PORT + {k - 1})", "SITUK_DEV_NATS_MONITOR_PORT", IPAddress.Loopback));
            if (topology.Nats > 1)
            {
                ports.Add(new(NatsRoutePortOf(k), $"nats-server {k}'s routes (SITUK_DEV_NATS_ROUTE_PORT + {k - 1})", "SITUK_DEV_NATS_ROUTE_PORT", IPAddress.Loopback));
            }
        }
        foreach (var node in Enumerable.Range(1, topology.Brokers))
        {
            ports.Add(new(BrokerDevicePort(node), $"broker {node}'s device listener (SITUK_DEV_DEVICE_PORT + {100 * node})", "SITUK_DEV_DEVICE_PORT", IPAddress.Any));
            ports.Add(new(BrokerInternalPort(node), $"broker {node}'s internal listener (SITUK_DEV_INTERNAL_PORT + {100 * node})", "SITUK_DEV_INTERNAL_PORT", IPAddress.Loopback));
        }
        foreach (var node in Enumerable.Range(1, topology.Apis))
        {
            ports.Add(new(ApiNodePort(node), $"API {node} (SITUK_DEV_API_PORT + {100 * node})", "SITUK_DEV_API_PORT", IPAddress.Any));
        }
        return ports;
    }

    /// <summary>
    /// Starts the nats-servers, the brokers, the API instances and nginx, and waits until each answers. NATS runs with the
    /// shipped role users (eng/nats/situk-roles.conf): brokers sign in as situk-broker, API instances as situk-api.
    /// </summary>
    public void Start(DevSystem system, Dictionary<string, string> env, DevSecrets secrets)
    {
        var natsEnvironment = new Dictionary<string, string>
        {
            ["SITUK_NATS_BROKER_PASSWORD"] = secrets.NatsBrokerPassword,
            ["SITUK_NATS_API_PASSWORD"] = secrets.NatsApiPassword,
        };
        foreach (var k in NatsServers)
        {
            var args = new List<string>
            {
                "-c", System.IO.Path.Combine(_root, "eng", "nats", "situk-roles.conf"),
                "-a", "127.0.0.1", "-p", NatsClientPort(k).ToString(), "-m", NatsMonitorPortOf(k).ToString(), "-n", $"situk-dev-nats-{k}",
            };
            if (_topology.Nats > 1)
            {
                // Each server listens for routes and solicits one to every other: a full mesh, as NATS clusters run.
                var peers = NatsServers.Where(p => p != k).Select(p => $"nats://127.0.0.1:{NatsRoutePortOf(p)}");
                args.AddRange(new[] { "--cluster_name", "situk-dev", "--cluster", $"nats://127.0.0.1:{NatsRoutePortOf(k)}", "--routes", string.Join(",", peers) });
            }
            system.Start($"nats-{k}", _nats, args.ToArray(), natsEnvironment);
        }
        foreach (var k in NatsServers) system.WaitHealthy($"http://127.0.0.1:{NatsMonitorPortOf(k)}/healthz", $"nats-server {k}");
        foreach (var k in NatsServers) WaitRoutes(k);

        foreach (var node in Brokers)
        {
            system.Start($"broker-{node}", "dotnet", new[] { system.Dll("Situk.Broker") }, BrokerEnvironment(env, node, secrets));
        }
        foreach (var node in Apis)
        {
            system.Start($"api-{node}", "dotnet", new[] { system.Dll("Situk.Api"), "--urls", $"http://0.0.0.0:{ApiNodePort(node)}" }, ApiEnvironment(env, node, secrets));
        }
        foreach (var node in Brokers) system.WaitHealthy($"http://127.0.0.1:{BrokerDevicePort(node)}/healthz", $"broker {node}");
        foreach (var node in Apis) system.WaitHealthy($"http://127.0.0.1:{ApiNodePort(node)}/healthz", $"API {node}");

        var nginxDir = System.IO.Path.Combine(_run, "nginx");
        System.IO.Directory.CreateDirectory(nginxDir);
        var conf = System.IO.Path.Combine(nginxDir, "situk-dev-lb.conf");
        System.IO.File.WriteAllText(conf, NginxConfig(nginxDir));
        // -e: nginx opens its error log before it reads the configuration; keep it off /var/log.
        system.Start("lb", _nginx, new[] { "-e", "stderr", "-p", nginxDir, "-c", conf }, new Dictionary<string, string>());
        system.WaitHealthy($"http://127.0.0.1:{DevSystem.DevicePort}/healthz", "broker load balancer");
        system.WaitHealthy($"http://127.0.0.1:{DevSystem.ApiPort}/healthz", "API load balancer");
    }

    // Every broker: its own listeners and node name, NATS as situk-broker, and trust in the load balancer's X-Forwarded-For.
    private Dictionary<string, string> BrokerEnvironment(Dictionary<string, string> shared, int node, DevSecrets secrets) => new(shared)
    {
        ["Situk__Broker__DeviceUrl"] = $"http://0.0.0.0:{BrokerDevicePort(node)}",
        ["Situk__Broker__InternalUrl"] = $"http://127.0.0.1:{BrokerInternalPort(node)}",
        ["Situk__Broker__NodeName"] = $"broker-{node}",
        ["Situk__Broker__KnownProxies"] = "127.0.0.1",
        ["Situk__Nats__Url"] = NatsUrlsFor(node),
        ["Situk__Nats__Name"] = $"situk-broker-{node}",
        ["Situk__Nats__User"] = "situk-broker",
        ["Situk__Nats__Password"] = secrets.NatsBrokerPassword,
    };

    // Every API instance: NATS as situk-api, the load balancer's broker URL in sign-in answers (and each broker's
    // own for clients that pick one themselves), and trust in the load balancer's X-Forwarded-For.
    private Dictionary<string, string> ApiEnvironment(Dictionary<string, string> shared, int node, DevSecrets secrets)
    {
        var env = new Dictionary<string, string>(shared)
        {
            ["Situk__Nats__Url"] = NatsUrlsFor(node),
            ["Situk__Nats__Name"] = $"situk-api-{node}",
            ["Situk__Nats__User"] = "situk-api",
            ["Situk__Nats__Password"] = secrets.NatsApiPassword,
            ["Situk__Api__BrokerInternalUrl"] = $"ws://127.0.0.1:{BrokerInternalPort(1)}/internal",
            ["Situk__Api__PublicBrokerUrl"] = $"ws://localhost:{DevSystem.DevicePort}/ws",
            ["Situk__Proxy__KnownProxies__0"] = "127.0.0.1",
        };
        foreach (var broker in Brokers)
        {
            env[$"Situk__Api__PublicBrokerUrls__{broker - 1}"] = $"ws://localhost:{BrokerDevicePort(broker)}/ws";
        }
        return env;
    }

    // Waits (at most 30 s) until server k has a route to every other server (monitoring /routez).
    private void WaitRoutes(int k)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var expected = _topology.Nats - 1;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var routes = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var routez = System.Text.Json.JsonDocument.Parse(http.GetStringAsync($"http://127.0.0.1:{NatsMonitorPortOf(k)}/routez").GetAwaiter().GetResult());
                routes = routez.RootElement.GetProperty("num_routes").GetInt32();
                if (routes >= expected) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            System.Threading.Thread.Sleep(200);
        }
        throw new Exception($"nats-server {k} has {routes} of {expected} routes after 30 s; see its log in {_run}.");
    }

    private string NginxConfig(string dir)
    {
        var template = System.IO.File.ReadAllText(System.IO.Path.Combine(_root, "eng", "nginx", "up-cluster.conf.template"));
        string Servers(IEnumerable<int> ports) => string.Join("\n", ports.Select(p => $"        server 127.0.0.1:{p};"));
        return template
            .Replace("{{RUN}}", dir)
            .Replace("{{BROKERS}}", Servers(Brokers.Select(BrokerDevicePort)))
            .Replace("{{APIS}}", Servers(Apis.Select(ApiNodePort)))
            .Replace("{{DEVICE_PORT}}", DevSystem.DevicePort.ToString())
            .Replace("{{API_PORT}}", DevSystem.ApiPort.ToString());
    }

    public string Banner()
    {
        var lines = new List<string>
        {
            $"  Device page     http://localhost:{DevSystem.DevicePort}/     (nginx, least_conn over {_topology.Brokers} brokers; sockets ws://localhost:{DevSystem.DevicePort}/ws)",
            $"  REST API        http://localhost:{DevSystem.ApiPort}/api/v1     (nginx over {_topology.Apis} API instances; OpenAPI: /openapi/v1.json)",
            $"  Dashboard       http://localhost:{DevSystem.ApiPort}/admin",
        };
        foreach (var node in Brokers)
        {
            lines.Add($"  broker-{node}        ws://localhost:{BrokerDevicePort(node)}/ws   admin http://127.0.0.1:{BrokerInternalPort(node)}/admin/stats   metrics http://127.0.0.1:{BrokerInternalPort(node)}/metrics");
        }
        foreach (var node in Apis)
        {
            lines.Add($"  api-{node}           http://localhost:{ApiNodePort(node)}/api/v1");
        }
        foreach (var k in NatsServers)
        {
            var routes = _topology.Nats > 1 ? $"   routes nats://127.0.0.1:{NatsRoutePortOf(k)} (/routez: {_topology.Nats - 1})" : "";
            lines.Add($"  nats-{k}          nats://127.0.0.1:{NatsClientPort(k)}   monitoring http://127.0.0.1:{NatsMonitorPortOf(k)}/connz{routes}");
        }
        var homes = Brokers.Select(n => $"broker-{n}→nats-{(n - 1) % _topology.Nats + 1}").Concat(Apis.Select(n => $"api-{n}→nats-{(n - 1) % _topology.Nats + 1}"));
        lines.Add($"  NATS homes      {string.Join("  ", homes)}   (each process has every server's URL, its home first)");
        lines.Add("  NATS users      situk-broker, situk-api (eng/nats/situk-roles.conf; passwords NATS_*_PASSWORD in .data/dev-secrets.env)");
        return string.Join(Environment.NewLine, lines);
    }
}
