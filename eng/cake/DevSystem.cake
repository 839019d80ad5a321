// The development system that `./build.sh --target=Up` runs in the foreground: a private
// PostgreSQL cluster under .data/pg (kept across runs), migrations, a mail catcher (smtp4dev),
// the broker and the API (or, with --brokers/--apis above 1, the local cluster of DevCluster.cake).
// Ctrl-C (or SIGTERM) stops all of it; `--target=Down` stops leftovers.
#load "DevSecrets.cake"
#load "ChildProcess.cake"
#load "DevPorts.cake"
#load "DevCluster.cake"

using System.Diagnostics;
using System.Threading;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.InteropServices;

public sealed class DevSystem
{
    // Development ports (README, "What Up starts"), each movable with its environment variable, so two
    // checkouts can run Up side by side.
    public static readonly int ApiPort = PortFrom("SITUK_DEV_API_PORT", 5000);
    public static readonly int DevicePort = PortFrom("SITUK_DEV_DEVICE_PORT", 5080);
    public static readonly int InternalPort = PortFrom("SITUK_DEV_INTERNAL_PORT", 5081);
    private static readonly int SmtpPort = PortFrom("SITUK_DEV_SMTP_PORT", 2525);
    private static readonly int MailWebPort = PortFrom("SITUK_DEV_MAIL_PORT", 5025);
    private static readonly int PgPort = PortFrom("SITUK_DEV_PG_PORT", 55432);

    private readonly ICakeContext _context;
    private readonly string _root, _configuration, _data, _run;
    private readonly List<ChildProcess> _children = new();
    private readonly DevTopology _topology;
    private readonly string _natsServer, _nginx;

    public DevSystem(ICakeContext context, string root, string configuration, DevTopology topology = null, string natsServer = null, string nginx = null)
    {
        _topology = topology ?? new DevTopology(1, 1);
        _natsServer = natsServer;
        _nginx = nginx;
        _context = context;
        _root = root;
        _configuration = configuration;
        _data = System.IO.Path.Combine(root, ".data");
        _run = System.IO.Path.Combine(_data, "run");
    }

    public void Run()
    {
        StopLeftovers();
        System.IO.Directory.CreateDirectory(_run);
        var secrets = DevSecrets.LoadOrCreate(System.IO.Path.Combine(_data, "dev-secrets.env"));
        EnsurePortsFree();
        var connectionString = OwnDatabase ? StartPostgres() : Environment.GetEnvironmentVariable("ConnectionStrings__Situk")!;
        var env = ServiceEnvironment(secrets, connectionString);

        using var stop = new ManualResetEventSlim();
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        try
        {
            Migrate(env);
            StartMailCatcher();
            if (_topology.IsCluster)
            {
                var cluster = new DevCluster(_topology, _root, _run, _natsServer, _nginx);
                cluster.Start(this, env, secrets);
                WaitHealthy($"http://127.0.0.1:{MailWebPort}/", "mail catcher");
                PrintBanner(secrets, connectionString, cluster);
            }
            else
            {
                Start("broker", "dotnet", new[] { Dll("Situk.Broker") }, env);
                Start("api", "dotnet", new[] { Dll("Situk.Api"), "--urls", $"http://0.0.0.0:{ApiPort}" }, env);
                WaitHealthy($"http://127.0.0.1:{MailWebPort}/", "mail catcher");
                WaitHealthy($"http://127.0.0.1:{DevicePort}/healthz", "broker");
                WaitHealthy($"http://127.0.0.1:{ApiPort}/healthz", "api");
                PrintBanner(secrets, connectionString);
            }
            while (!stop.Wait(500))
            {
                var dead = _children.FirstOrDefault(c => c.HasExited);
                if (dead is not null)
                {
                    // Ctrl-C in a terminal signals every child too, and nats-server exits at once, often
                    // before this loop sees the signal: a child that ends together with it is no failure.
                    if (stop.Wait(TimeSpan.FromSeconds(1))) break;
                    throw new Exception($"{dead.Name} exited with code {dead.ExitCode}; stopping the rest.");
                }
            }
            _context.Information("Stopping Situk…");
        }
        finally
        {
            StopChildren();
            StopPostgres();
        }
    }

    /// <summary>
    /// Stops what an earlier Up left behind, then throws, naming the variable that moves it, for every port
    /// of the system that something else holds. Run before the build too, so the answer comes at once.
    /// </summary>
    public void CheckPorts()
    {
        StopLeftovers();
        EnsurePortsFree();
    }

    private static bool OwnDatabase => Environment.GetEnvironmentVariable("ConnectionStrings__Situk") is not { Length: > 0 };

    private void EnsurePortsFree()
    {
        var ports = DevPorts.Of(ApiPort, DevicePort, InternalPort, SmtpPort, MailWebPort, OwnDatabase ? PgPort : null);
        if (_topology.IsCluster)
        {
            // The cluster's load balancers take the API and device ports; no broker binds the bare internal port.
            ports = DevCluster.PortsOf(_topology).Concat(ports.Where(p => p.Number != ApiPort && p.Number != DevicePort && p.Number != InternalPort)).ToList();
        }
        DevPorts.EnsureFree(ports);
    }

    /// <summary>Stops whatever an earlier Up left running (its pid files and its PostgreSQL cluster).</summary>
    public void StopLeftovers()
    {
        if (System.IO.Directory.Exists(_run))
        {
            foreach (var pidFile in System.IO.Directory.GetFiles(_run, "*.pid"))
            {
                if (int.TryParse(System.IO.File.ReadAllText(pidFile).Trim(), out var pid) && ChildProcess.IsSituk(pid))
                {
                    ChildProcess.StopPid(pid, TimeSpan.FromSeconds(10));
                }
                System.IO.File.Delete(pidFile);
            }
        }
        StopPostgres();
    }

    private string StartPostgres()
    {
        var port = PgPort.ToString();
        var dir = System.IO.Path.Combine(_data, "pg");
        var (exit, output) = PgScriptRaw("start", dir, port);
        if (exit == 4)
        {
            // The postgres user cannot reach the repository (a folder above it is private): keep the cluster under /tmp.
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_root)))[..10].ToLowerInvariant();
            dir = $"/tmp/situk-dev-{hash}/pg";
            _context.Warning($"The postgres user cannot reach {_data}; keeping the development cluster in {dir}.");
            (exit, output) = PgScriptRaw("start", dir, port);
        }
        if (exit == 7)
        {
            throw new Exception(DevPorts.TakenMessage(new[] { DevPorts.Postgres(PgPort) }));
        }
        if (exit != 0)
        {
            throw new Exception($"PostgreSQL did not start (eng/pg.sh exit {exit}); the reason is printed above, from {dir}/server.log.");
        }
        System.IO.File.WriteAllText(System.IO.Path.Combine(_run, "pg-dir"), dir);
        return output.Trim().Replace("Database=postgres", "Database=situk");
    }

    private void StopPostgres()
    {
        var marker = System.IO.Path.Combine(_run, "pg-dir");
        if (!System.IO.File.Exists(marker)) return;
        PgScriptRaw("stop", System.IO.File.ReadAllText(marker).Trim(), "fast");
        System.IO.File.Delete(marker);
    }

    private (int Exit, string Output) PgScriptRaw(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        start.ArgumentList.Add(System.IO.Path.Combine(_root, "eng", "pg.sh"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private Dictionary<string, string> ServiceEnvironment(DevSecrets secrets, string connectionString) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ConnectionStrings__Situk"] = connectionString,
        ["Situk__Jwt__SigningKey"] = secrets.SigningKey,
        ["Situk__Broker__InternalKey"] = secrets.InternalKey,
        ["Situk__Broker__AdminKey"] = secrets.AdminKey,
        ["Situk__Broker__DeviceUrl"] = $"http://0.0.0.0:{DevicePort}",
        ["Situk__Broker__InternalUrl"] = $"http://127.0.0.1:{InternalPort}",
        ["Situk__Api__BrokerInternalUrl"] = $"ws://127.0.0.1:{InternalPort}/internal",
        ["Situk__Api__PublicBrokerUrl"] = $"ws://localhost:{DevicePort}/ws",
        ["Situk__Broker__PublicApiUrl"] = $"http://localhost:{ApiPort}",
        ["Situk__Smtp__Host"] = "127.0.0.1",
        ["Situk__Smtp__Port"] = SmtpPort.ToString(),
        ["Situk__Smtp__From"] = "situk@localhost",
        ["Situk__Smtp__UseTls"] = "false",
        ["Situk__Admin__Email"] = secrets.AdminEmail,
        ["Situk__Admin__Password"] = secrets.AdminPassword,
    };

    private void Migrate(Dictionary<string, string> env)
    {
        _context.Information("Applying migrations…");
        using var migrate = ChildProcess.Start("migrate", "dotnet", new[] { Dll("Situk.Api"), "--migrate-only" }, env, _root);
        if (!migrate.WaitForExit(TimeSpan.FromMinutes(2)) || migrate.ExitCode != 0)
        {
            throw new Exception("Migrations failed; see the output above.");
        }
    }

    private void StartMailCatcher()
    {
        var mailData = System.IO.Path.Combine(_data, "smtp4dev");
        System.IO.Directory.CreateDirectory(mailData);
        Start("mail", "dotnet", new[]
        {
            "tool", "run", "smtp4dev", "--",
            $"--urls=http://127.0.0.1:{MailWebPort}", $"--smtpport={SmtpPort}", "--imapport=", "--pop3port=",
            "--bindaddress=127.0.0.1", $"--baseappdatapath={mailData}", "--db=messages.db", "--nousersettings",
        }, new Dictionary<string, string>());
    }

    public void Start(string name, string file, string[] args, Dictionary<string, string> env)
    {
        var child = ChildProcess.Start(name, file, args, env, _root);
        _children.Add(child);
        System.IO.File.WriteAllText(System.IO.Path.Combine(_run, name + ".pid"), child.Id.ToString());
    }

    private void StopChildren()
    {
        // Reverse order: the load balancer first (cluster), then the API (it holds the broker link), the mail catcher last.
        foreach (var child in Enumerable.Reverse(_children))
        {
            child.Stop(TimeSpan.FromSeconds(10));
            child.Dispose();
            var pidFile = System.IO.Path.Combine(_run, child.Name + ".pid");
            if (System.IO.File.Exists(pidFile)) System.IO.File.Delete(pidFile);
        }
        _children.Clear();
    }

    public static int PortFrom(string variable, int fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        return int.TryParse(value, out var port) && port is > 0 and < 65536
            ? port
            : throw new Exception($"{variable}={value} is not a TCP port (1-65535).");
    }

    // The broker runs as published, ReadyToRun (__PublishBroker, a dependency of Up); the API and tools from the build output.
    public string Dll(string project) => project == "Situk.Broker"
        ? System.IO.Path.Combine(_root, "artifacts", "broker", "Situk.Broker.dll")
        : System.IO.Path.Combine(_root, project, "bin", _configuration, "net10.0", project + ".dll");

    public void WaitHealthy(string url, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var dead = _children.FirstOrDefault(c => c.HasExited);
            if (dead is not null) throw new Exception($"{dead.Name} exited with code {dead.ExitCode} while starting.");
            try
            {
                if (http.GetAsync(url).GetAwaiter().GetResult().IsSuccessStatusCode) return;
            }
            catch (Exception) { }
            Thread.Sleep(250);
        }
        throw new Exception($"The {what} did not answer {url} within 90 s.");
    }

    private void PrintBanner(DevSecrets secrets, string connectionString, DevCluster cluster)
    {
        var db = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        db.Remove("Password");
        Console.WriteLine($@"
Situk is up as a local cluster. Ctrl-C stops everything.

{cluster.Banner()}
  Mail catcher    http://127.0.0.1:{MailWebPort}/     (SMTP on 127.0.0.1:{SmtpPort})
  PostgreSQL      {db.ConnectionString}

  Admin sign-in   {secrets.AdminEmail} / {secrets.AdminPassword}
  Broker admin key     {secrets.AdminKey}
  Broker internal key  {secrets.InternalKey}
  JWT signing key      {secrets.SigningKey}
  (development secrets, kept in .data/dev-secrets.env)

  curl -s -H ""Authorization: Bearer {secrets.AdminKey}"" http://127.0.0.1:{InternalPort + 100}/admin/stats
");
    }

    private void PrintBanner(DevSecrets secrets, string connectionString)
    {
        var db = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        db.Remove("Password");
        Console.WriteLine($@"
Situk is up. Ctrl-C stops everything.

  REST API        http://localhost:{ApiPort}/api/v1     (OpenAPI: http://localhost:{ApiPort}/openapi/v1.json)
  Device socket   ws://localhost:{DevicePort}/ws        (device page: http://localhost:{DevicePort}/)
  Dashboard       http://localhost:{ApiPort}/admin          (device page: see above)
  Broker admin    http://127.0.0.1:{InternalPort}/admin/stats   (metrics: http://127.0.0.1:{InternalPort}/metrics)
  Mail catcher    http://127.0.0.1:{MailWebPort}/     (SMTP on 127.0.0.1:{SmtpPort})
  PostgreSQL      {db.ConnectionString}

  Admin sign-in   {secrets.AdminEmail} / {secrets.AdminPassword}
  Broker admin key     {secrets.AdminKey}
  Broker internal key  {secrets.InternalKey}
  JWT signing key      {secrets.SigningKey}
  (development secrets, kept in .data/dev-secrets.env)

  curl -s -H ""Authorization: Bearer {secrets.AdminKey}"" http://127.0.0.1:{InternalPort}/admin/stats
");
    }
}
