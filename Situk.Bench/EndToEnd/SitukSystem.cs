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
/// cluster under /tmp (<c>eng/pg.sh</c>), the broker and the API as child processes. Disposing stops
/// them all and deletes the cluster.
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
    private ChildProcess? _broker;
    private ChildProcess? _api;

    private SitukSystem(string root, string clusterDir)
    {
        _root = root;
        _clusterDir = clusterDir;
    }

    public const string InternalKey = "situk-e2e-internal-key-0123456789";

    public string ConnectionString { get; private set; } = "";

    public Uri ApiUrl { get; private set; } = null!;

    public Uri DeviceUrl { get; private set; } = null!;

    public Uri InternalUrl { get; private set; } = null!;

    public ChildProcess Broker => _broker ?? throw new InvalidOperationException("Not started.");

    public static async Task<SitukSystem> StartAsync()
    {
        var root = RepositoryRoot();
        var system = new SitukSystem(root, Path.Combine(Path.GetTempPath(), "situk-e2e-" + Guid.NewGuid().ToString("N")[..8], "pg"));
        try
        {
            await system.LaunchAsync();
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

    /// <summary>An HTTP client for the API signed in as the seeded admin, through <c>POST /api/v1/auth/token</c>.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = new HttpClient { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PostAsJsonAsync("api/v1/auth/token", new { email = AdminEmail, password = AdminPassword });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(SitukJson.Default.TokenResponse)
            ?? throw new InvalidOperationException("Empty token answer.");
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (Directory.Exists(_clusterDir))
        {
            await PgAsync("stop", _clusterDir, "immediate");
            Directory.Delete(Path.GetDirectoryName(_clusterDir)!, recursive: true);
        }
    }

    private async Task LaunchAsync()
    {
        var ports = ChildProcess.FreePorts(5);
        var (pgPort, devicePort, internalPort, apiPort, smtpPort) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
        var admin = (await PgAsync("start", _clusterDir, pgPort.ToString(CultureInfo.InvariantCulture))).Trim();
        ConnectionString = admin;

        DeviceUrl = new Uri($"ws://127.0.0.1:{devicePort}/ws");
        InternalUrl = new Uri($"ws://127.0.0.1:{internalPort}/internal");
        ApiUrl = new Uri($"http://127.0.0.1:{apiPort}/");
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
            ["Situk__Api__PublicBrokerUrl"] = DeviceUrl.ToString(),
            // Nothing listens here: the kinds this run creates send no email.
            ["Situk__Smtp__Host"] = "127.0.0.1",
            ["Situk__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Situk__Smtp__From"] = "situk@localhost",
            ["Situk__Smtp__UseTls"] = "false",
            ["Situk__Admin__Email"] = AdminEmail,
            ["Situk__Admin__Password"] = AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        _broker = ChildProcess.Start("broker", "Situk.Broker.dll", [], environment);
        await _broker.WaitHealthyAsync(new Uri($"http://127.0.0.1:{internalPort}/healthz"), TimeSpan.FromSeconds(30));
        _api = ChildProcess.Start("api", "Situk.Api.dll", ["--urls", ApiUrl.ToString()], environment);
        await _api.WaitHealthyAsync(new Uri(ApiUrl, "readyz"), TimeSpan.FromSeconds(60));
    }

    private async Task<string> PgAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
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

    private static string RepositoryRoot()
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
