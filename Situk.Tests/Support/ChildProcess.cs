using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Situk.Tests.Support;

/// <summary>
/// One service from the build output run as a real process (<c>dotnet Situk.Broker.dll</c>), configured
/// only through its environment, so a test can SIGKILL it (<see cref="Kill"/>: no shutdown hook, no
/// close frames, no flushed buffers) and start it again with the same settings on the same ports.
/// Standard output and error are kept line by line for diagnostics and log checks. Every child ever
/// started is killed when the test process exits, and by <see cref="DisposeAsync"/>.
/// <code>
/// await using var broker = ChildProcesses.Broker(settings);
/// await broker.StartAsync(ct);          // returns once /healthz answers
/// broker.Kill();
/// await broker.StartAsync(ct);          // same ports, same settings
/// </code>
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    // Kept to the last few thousand lines: enough to explain a failure, bounded under any load.
    private const int MaxKeptLines = 5000;

    private static readonly ConcurrentDictionary<ChildProcess, bool> Alive = new();
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private volatile bool _failureContinues;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IReadOnlyList<string> _launcher;
    private Process? _process;

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var child in Alive.Keys)
        {
            child.Kill();
        }
    };

    /// <param name="name">For messages: "broker", "api".</param>
    /// <param name="assembly">The service's dll in the build output.</param>
    /// <param name="environment">Configuration as environment variables (<c>Situk__Broker__AdminKey</c> …).</param>
    /// <param name="healthUrl">Answers 200 once the service is serving.</param>
    /// <param name="launcher">A command the service runs under, which execs it (<c>prlimit --nofile=800:800</c>); none by default.</param>
    public ChildProcess(string name, string assembly, IReadOnlyDictionary<string, string> environment, Uri healthUrl, IReadOnlyList<string>? launcher = null)
    {
        _launcher = launcher ?? [];
        Name = name;
        Assembly = assembly;
        _environment = environment;
        HealthUrl = healthUrl;
    }

    public string Name { get; }

    public string Assembly { get; }

    public Uri HealthUrl { get; }

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Lines written to stdout and stderr so far, by every run of this child, oldest first.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>Starts the process and waits until <see cref="HealthUrl"/> answers 200.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"The {Name} is already running.");
        }

        var start = new ProcessStartInfo(_launcher.Count > 0 ? _launcher[0] : DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Assembly)!,
        };
        foreach (var argument in _launcher.Skip(1).Concat(_launcher.Count > 0 ? [DotnetHost()] : []))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Assembly);
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Alive[this] = true;
        Starts++;
        Keep($"--- {Name} started (pid {process.Id}, start {Starts}) ---");
        await WaitUntilHealthyAsync(process, ct);
    }

    /// <summary>SIGKILL on Linux: the process ends at once, its sockets reset by the kernel.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Keep($"--- {Name} killed ---");
        process.Dispose();
        _process = null;
        Alive.TryRemove(this, out _);
    }

    /// <summary>SIGTERM, as systemd stops a service: the process shuts down gracefully. Await <see cref="WaitForExitAsync"/>.</summary>
    public void Terminate()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            Keep($"--- {Name} sent SIGTERM ---");
        }
    }

    /// <summary>
    /// SIGSTOP: the process is frozen as a stalled VM or a long GC pause would freeze it. Its sockets stay
    /// open, the kernel keeps accepting and buffering for it, nothing answers. <see cref="Thaw"/> undoes it.
    /// </summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT: a process stopped by <see cref="Freeze"/> runs on.</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>Waits until the process has exited and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        var process = _process ?? throw new InvalidOperationException($"The {Name} is not running.");
        await process.WaitForExitAsync(ct);
        return process.ExitCode;
    }

    /// <summary>Kills the process (if running) and starts it again with the same settings and ports.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        Kill();
        await StartAsync(ct);
    }

    /// <summary>
    /// Error and critical log entries (console format: <c>fail:</c> / <c>crit:</c> and the message line
    /// after it) from every run, kept apart from <see cref="Output"/> so none is ever trimmed away.
    /// </summary>
    public IReadOnlyList<string> Failures => [.. _failures];

    /// <summary>The last lines of output, for an assertion message.</summary>
    public string Tail(int lines = 40) => string.Join(Environment.NewLine, Output.TakeLast(lines));

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            Keep($"--- {Name} sent SIG{signal} ---");
        }
    }

    // The host that runs the tests (dotnet test sets DOTNET_HOST_PATH), else dotnet from PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            _failures.Enqueue(line);
            _failureContinues = true;
        }
        else if (_failureContinues)
        {
            _failures.Enqueue(line);
            _failureContinues = false;
        }

        _output.Enqueue(line);
        while (_output.Count > MaxKeptLines)
        {
            _output.TryDequeue(out _);
        }
    }

    private async Task WaitUntilHealthyAsync(Process process, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The {Name} exited with {process.ExitCode} before it was healthy:{Environment.NewLine}{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(HealthUrl, ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(50, ct);
        }
    }
}
