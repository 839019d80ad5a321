// A service process started by `Up`: its output is prefixed with its name; stopping sends SIGTERM
// to it and its descendants (a graceful shutdown), then kills whatever is left after the timeout.
using System.Diagnostics;
using System.Threading;

public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string name, string file, IEnumerable<string> args, IDictionary<string, string> env, string workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in env) start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var prefix = $"[{name}] ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine(prefix + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(prefix + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process);
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Stop(TimeSpan timeout)
    {
        if (!_process.HasExited) StopPid(_process.Id, timeout);
    }

    /// <summary>SIGTERM to the process and its descendants, then SIGKILL after the timeout.</summary>
    public static void StopPid(int pid, TimeSpan timeout)
    {
        var tree = Descendants(pid).Prepend(pid).ToList();
        foreach (var p in tree) Signal(p, "TERM");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && tree.Any(Alive)) Thread.Sleep(100);
        foreach (var p in tree.Where(Alive)) Signal(p, "KILL");
    }

    private static bool Alive(int pid)
    {
        try
        {
            var stat = System.IO.File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the process is one of ours (its command line names Situk, the mail catcher, or the cluster's
    /// nats-server and nginx, both started with a "situk-dev" name), so a reused pid is left alone.
    /// </summary>
    public static bool IsSituk(int pid)
    {
        try
        {
            var cmdline = System.IO.File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("Situk.", StringComparison.Ordinal) || cmdline.Contains("smtp4dev", StringComparison.Ordinal)
                || cmdline.Contains("situk-dev", StringComparison.Ordinal);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        var taskDir = $"/proc/{pid}/task";
        if (!System.IO.Directory.Exists(taskDir)) return children;
        foreach (var task in System.IO.Directory.GetDirectories(taskDir))
        {
            var file = System.IO.Path.Combine(task, "children");
            if (!System.IO.File.Exists(file)) continue;
            foreach (var id in System.IO.File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var child = int.Parse(id);
                children.Add(child);
                children.AddRange(Descendants(child));
            }
        }
        return children;
    }

    private static void Signal(int pid, string signal)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", $"-s {signal} {pid}") { RedirectStandardError = true });
            kill?.WaitForExit();
        }
        catch (Exception) { }
    }

    public void Dispose() => _process.Dispose();
}
