using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Situk.Tests.Support;

/// <summary>
/// A real nginx (Debian's <c>nginx-light</c>) in front of brokers, run by the test on a free loopback port with
/// <c>eng/nginx/situk-brokers.conf</c> filled in, in a throw-away prefix directory. The binary is
/// <c>SITUK_NGINX</c>, else /usr/sbin/nginx; when it is missing and the tests run as root it is installed with
/// apt-get (a fresh CI machine); otherwise starting fails, naming the package. Killed on dispose, its PID only.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;

    private NginxServer(Process process, string prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        DeviceUri = new Uri($"ws://127.0.0.1:{port}/ws");
    }

    /// <summary><c>ws://127.0.0.1:PORT/ws</c>: the brokers' device socket through nginx.</summary>
    public Uri DeviceUri { get; }

    /// <summary>Starts nginx with the repository's template, its upstream list naming <paramref name="brokers"/> (host:port).</summary>
    public static async Task<NginxServer> StartAsync(IEnumerable<string> brokers, CancellationToken ct)
    {
        var binary = await FindOrInstallAsync(ct);
        var port = PostgresServer.FreeTcpPort();
        var prefix = Directory.CreateTempSubdirectory("situk-nginx-").FullName;
        var site = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "eng", "nginx", "situk-brokers.conf"), ct))
            .Replace("${SITUK_LISTEN}", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${SITUK_BROKERS}", string.Concat(brokers.Select(b => $"server {b} max_fails=1 fail_timeout=10s; ")), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(prefix, "situk-brokers.conf"), site, ct);
        // The main file a package's /etc/nginx/nginx.conf would be, with every path inside the prefix.
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                include {{prefix}}/situk-brokers.conf;
            }
            """, ct);
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new NginxServer(process, prefix, port);
        await server.WaitUntilListeningAsync(port, ct);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }

    private async Task WaitUntilListeningAsync(int port, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_process.HasExited)
            {
                var log = Path.Combine(_prefix, "error.log");
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode} at start: " + (File.Exists(log) ? await File.ReadAllTextAsync(log, ct) : ""));
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    // A fresh CI machine has no nginx: install Debian's nginx-light as root. Never skips: a missing nginx fails the test.
    private static async Task<string> FindOrInstallAsync(CancellationToken ct)
    {
        if (Find() is { } found)
        {
            return found;
        }

        if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            await RunAsync("/usr/bin/apt-get", ["update", "-qq"], ct);
            await RunAsync("/usr/bin/apt-get", ["install", "-y", "-qq", "nginx-light"], ct);
        }

        return Find() ?? throw new InvalidOperationException(
            "The load-balancer tests need nginx and could not find or install it. Install Debian's package " +
            "(sudo apt-get install -y nginx-light) or name the binary in SITUK_NGINX.");
    }

    private static string? Find()
    {
        IEnumerable<string> candidates = [Environment.GetEnvironmentVariable("SITUK_NGINX") ?? "", "/usr/sbin/nginx", "/usr/bin/nginx"];
        return candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(c));
    }

    private static async Task RunAsync(string file, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        await process.WaitForExitAsync(ct);
    }
}
