using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Situk.Bench.Load;
using Situk.Contracts;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// The whole system as the README's <c>Up</c> runs it, on loopback and throw-away: a private PostgreSQL
/// cluster under /tmp (<c>eng/pg.sh</c>), the broker and the API as child processes. With more than one
/// broker or API instance it runs as <c>Up --brokers=N --apis=M</c> does, without the load balancer: a
/// nats-server and every broker and API instance pointed at it. Disposing stops them all and deletes the
/// database cluster.
/// </summary>
internal sealed class SitukSystem : IAsyncDisposable
{
    private const string SigningKey = "situk-e2e-signing-key-0123456789abcdef";
    private const string AdminEmail = "admin@situk.bench";
    private const string AdminPassword = "bench-admin-password-1";

    private static readonly SigningCredentials Credentials =
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256);

    private readonly JsonWebTokenHandler _tokens = new();
    private readonly string _root;
    private readonly string _clusterDir;
    private readonly List<ChildProcess> _brokers = [];
    private readonly List<ChildProcess> _apis = [];
    private Load.Cluster.NatsServerProcess? _nats;
    private string _pgOptions = "";

    private SitukSystem(string root, string clusterDir)
    {
        _root = root;
        _clusterDir = clusterDir;
    }

    public const string InternalKey = "situk-e2e-internal-key-0123456789";

    public string ConnectionString { get; private set; } = "";

    public Uri ApiUrl => ApiUrls[0];

    /// <summary>Every API instance, in start order.</summary>
    public List<Uri> ApiUrls { get; } = [];

    public Uri DeviceUrl => DeviceUrls[0];

    /// <summary>Every broker's device socket, in start order.</summary>
    public List<Uri> DeviceUrls { get; } = [];

    /// <summary>The first broker's internal socket.</summary>
    public Uri InternalUrl { get; private set; } = null!;

    /// <summary>The NATS server every process uses, or null when one broker and one API instance run without it.</summary>
    public string? NatsUrl => _nats?.Url;

    /// <summary>The NATS server, when the system runs as a cluster.</summary>
    public Load.Cluster.NatsServerProcess? Nats => _nats;

    public ChildProcess Broker => _brokers.Count > 0 ? _brokers[0] : throw new InvalidOperationException("Not started.");

    public IReadOnlyList<ChildProcess> Brokers => _brokers;

    public IReadOnlyList<ChildProcess> Apis => _apis;

    /// <summary>CPU seconds (user + system) of the PostgreSQL postmaster and its live children: the backends, the WAL writer, the checkpointer.</summary>
    public double PostgresCpuSeconds() => ProcessTree.CpuSeconds(Path.Combine(_clusterDir, "postmaster.pid"));

    /// <summary>Starts the system; <paramref name="statements"/> loads pg_stat_statements, for <see cref="TopStatementsAsync"/>.</summary>
    public static async Task<SitukSystem> StartAsync(int brokers = 1, int apis = 1, bool statements = false)
    {
        var root = RepositoryRoot();
        var system = new SitukSystem(root, Path.Combine(Path.GetTempPath(), "situk-e2e-" + Guid.NewGuid().ToString("N")[..8], "pg"))
        {
            _pgOptions = statements ? "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on" : "",
        };
        try
        {
            await system.LaunchAsync(brokers, apis);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates <paramref name="count"/> candidates straight in the database (nobody signs in as them); returns their ids.</summary>
    public async Task<long[]> CreateCandidatesAsync(int count)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT 'Asesi ' || n, 'asesi-' || n || '@situk.bench', 'asesi', 'not-a-password: created by the bench'
            FROM generate_series(1, $1) AS n
            RETURNING id
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        var ids = new List<long>(count);
        await using var reader = await insert.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return [.. ids];
    }

    /// <summary>A device token for a candidate, signed with the system's key (what <c>POST /auth/token</c> would issue).</summary>
    public string DeviceToken(long userId) => _tokens.CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", userId.ToString(CultureInfo.InvariantCulture)), new Claim("role", Roles.Asesi)]),
        Issuer = "situk",
        Audience = "situk",
        Expires = DateTime.UtcNow.AddHours(2),
        SigningCredentials = Credentials,
    });

    /// <summary>An HTTP client for an API instance (the first by default) signed in as the seeded admin, through <c>POST /api/v1/auth/token</c>.</summary>
    public async Task<HttpClient> AdminClientAsync(Uri? api = null)
    {
        var client = new HttpClient { BaseAddress = api ?? ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PostAsJsonAsync("api/v1/auth/token", new { email = AdminEmail, password = AdminPassword });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(SitukJson.Default.TokenResponse)
            ?? throw new InvalidOperationException("Empty token answer.");
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        return client;
    }

    /// <summary>Forgets what pg_stat_statements has counted so far (the system must have been started with it).</summary>
    public async Task ResetStatementsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>The statements that took the most planning and execution time since the last reset, with their calls and rows.</summary>
    public async Task<List<(string Query, long Calls, double TotalMs, double PlanMs, long Rows)>> TopStatementsAsync(int count)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var top = new NpgsqlCommand(
            """
            SELECT query, calls, total_exec_time, total_plan_time, rows FROM pg_stat_statements
            WHERE query NOT LIKE '%pg_stat_statements%'
            ORDER BY total_exec_time + total_plan_time DESC LIMIT $1
            """, connection);
        top.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        var rows = new List<(string, long, double, double, long)>();
        await using var reader = await top.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _apis.Concat(_brokers))
        {
            await process.DisposeAsync();
        }

        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }

        if (Directory.Exists(_clusterDir))
        {
            await PgAsync("stop", _clusterDir, "immediate");
            Directory.Delete(Path.GetDirectoryName(_clusterDir)!, recursive: true);
        }
    }

    private async Task LaunchAsync(int brokers, int apis)
    {
        var ports = ChildProcess.FreePorts(2 + (2 * brokers) + apis);
        var (pgPort, smtpPort) = (ports[0], ports[1]);
        var devicePort = ports[2];
        var internalPort = ports[3];
        var admin = (await PgAsync("start", _clusterDir, pgPort.ToString(CultureInfo.InvariantCulture))).Trim();
        ConnectionString = admin;

        InternalUrl = new Uri($"ws://127.0.0.1:{internalPort}/internal");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Situk"] = ConnectionString,
            ["Situk__Jwt__SigningKey"] = SigningKey,
            ["Situk__Broker__InternalKey"] = InternalKey,
            ["Situk__Broker__AdminKey"] = "situk-e2e-admin-key-0123456789",
            ["Situk__Broker__DeviceUrl"] = $"http://127.0.0.1:{devicePort}",
            ["Situk__Broker__InternalUrl"] = $"http://127.0.0.1:{internalPort}",
            // One load generator opening a thousand sockets: lift the per-address connect bucket.
            ["Situk__Broker__ConnectRatePerSecond"] = "1000000",
            ["Situk__Broker__ConnectBurst"] = "1000000",
            ["Situk__Api__BrokerInternalUrl"] = InternalUrl.ToString(),
            ["Situk__Api__PublicBrokerUrl"] = $"ws://127.0.0.1:{devicePort}/ws",
            // Nothing listens here: the kinds this run creates send no email.
            ["Situk__Smtp__Host"] = "127.0.0.1",
            ["Situk__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Situk__Smtp__From"] = "situk@localhost",
            ["Situk__Smtp__UseTls"] = "false",
            ["Situk__Admin__Email"] = AdminEmail,
            ["Situk__Admin__Password"] = AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (brokers > 1 || apis > 1)
        {
            _nats = await Load.Cluster.NatsServerProcess.StartAsync();
            environment["Situk__Nats__Url"] = _nats.Url;
        }

        for (var b = 0; b < brokers; b++)
        {
            var (device, @internal) = (ports[2 + (2 * b)], ports[3 + (2 * b)]);
            var own = new Dictionary<string, string>(environment)
            {
                ["Situk__Broker__DeviceUrl"] = $"http://127.0.0.1:{device}",
                ["Situk__Broker__InternalUrl"] = $"http://127.0.0.1:{@internal}",
                ["Situk__Broker__NodeName"] = $"broker-{b + 1}",
                // The bench places each device on a broker and its devices do not reconnect: a session moved away is a loss here.
                ["Situk__Cluster__Rebalance__Enabled"] = "false",
                ["Situk__Nats__Name"] = $"situk-broker-{b + 1}",
            };
            var broker = ChildProcess.Start($"broker-{b + 1}", "Situk.Broker.dll", [], own);
            _brokers.Add(broker);
            await broker.WaitHealthyAsync(new Uri($"http://127.0.0.1:{@internal}/healthz"), TimeSpan.FromSeconds(30));
            DeviceUrls.Add(new Uri($"ws://127.0.0.1:{device}/ws"));
        }

        // One after the other: the first applies the migrations.
        for (var a = 0; a < apis; a++)
        {
            var url = new Uri($"http://127.0.0.1:{ports[2 + (2 * brokers) + a]}/");
            var api = ChildProcess.Start($"api-{a + 1}", "Situk.Api.dll", ["--urls", url.ToString()],
                new Dictionary<string, string>(environment) { ["Situk__Nats__Name"] = $"situk-api-{a + 1}" });
            _apis.Add(api);
            await api.WaitHealthyAsync(new Uri(url, "readyz"), TimeSpan.FromSeconds(60));
            ApiUrls.Add(url);
        }
    }

    private async Task<string> PgAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["SITUK_PG_OPTIONS"] = _pgOptions;
        start.ArgumentList.Add(Path.Combine(_root, "eng", "pg.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run eng/pg.sh.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"eng/pg.sh {string.Join(' ', args)} failed ({process.ExitCode}).");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, "eng", "pg.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository: eng/pg.sh is needed to start PostgreSQL.");
    }
}
