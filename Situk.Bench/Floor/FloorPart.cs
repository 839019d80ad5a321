using System.Globalization;
using System.Net.WebSockets;
using Situk.Bench.EndToEnd;
using Situk.Bench.Load;

namespace Situk.Bench.Floor;

/// <summary>
/// One command of the floor run: its arguments (so its exact command line goes beside its figures), how to run
/// it in a process, and, once run, the goals it measured and what it lost — or why it could not run.
/// </summary>
internal sealed class FloorPart
{
    private readonly Func<FloorPart, Task> _run;

    private FloorPart(string name, string goalIds, string command, Func<FloorPart, Task> run)
    {
        Name = name;
        GoalIds = goalIds;
        Command = command;
        _run = run;
    }

    public string Name { get; }

    /// <summary>The goals this part measures, for the row that says it could not.</summary>
    public string GoalIds { get; }

    public string Command { get; }

    public IReadOnlyList<Goal> Goals { get; private set; } = [];

    public long Lost { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The five commands, in the order they run.</summary>
    public static IEnumerable<FloorPart> Plan(FloorOptions o)
    {
        var runs = o.Runs.ToString(CultureInfo.InvariantCulture);
        string[] broker = o.BrokerDll is { } dll ? ["--broker-dll", Path.GetRelativePath(Environment.CurrentDirectory, dll)] : [];
        string[] Report(string label) => o.ReportPath is { } path ? ["--report", path, "--label", label] : ["--label", label];
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);

        // First, in a bench process that has held no devices yet: its REST calls and 1,000 devices are timed on this
        // process's clock, and after the 19,600- and 10,000-device parts its own tails showed in them (p99 at 100/s
        // 28-30 ms inside floor against 9-13 ms alone, docs/benchmarks.md).
        yield return Knee(
            ["--devices", N(o.RestDevices), "--rates", o.Quick ? "100,200" : "100,200,400", "--seconds", o.Quick ? "5" : "10", "--runs", runs, "--bare", .. Report("floor-rest")]);
        yield return Load("broadcast", "G1–G2",
            ["--devices", N(o.BroadcastDevices), "--count", "3", "--payload", "64", "--target", "all", "--silent-probes", "3", "--probes", "3",
             "--ramp", "1000", "--duration", "60s", "--runs", runs, .. broker, .. Report("floor-broadcast")],
            (_, measured) => FloorGoals.Broadcast(measured));
        // One-to-one publishes with 1,000 devices connected, as the goal was set, beside the bare Kestrel server's own
        // publish route under the same load generator: the route's tail is what this machine allows any server.
        yield return Load("publish", "G3",
            ["--devices", N(o.PublishDevices), "--count", "1", "--payload", "64", "--target", "situk,kestrel", "--probes", "0",
             "--publish", N(o.Publishes), "--publish-rate", "1000", "--ramp", "1000", "--duration", "30s", "--runs", runs, .. broker, .. Report("floor-publish")],
            (options, measured) => FloorGoals.Publish(measured, options.PublishRate));
        yield return Load("memory", "G4",
            ["--devices", N(o.MemoryDevices), "--count", "3", "--payload", "64", "--target", "situk", "--probes", "3",
             "--ramp", "1000", "--duration", "60s", "--runs", runs, .. broker, .. Report("floor-memory")],
            (_, measured) => FloorGoals.Memory(measured));
        // A reconnect storm on a restarted broker: a ramp above what the fleet's 128 handshakes at once reach, from a
        // load generator already warm on the broker before it (docs/benchmarks.md, G5), as a real restart's devices are.
        yield return Load("cold start", "G5",
            ["--devices", N(o.ColdStartDevices), "--count", "9", "--payload", "64", "--target", "situk", "--probes", "5",
             "--ramp", "20000", "--duration", "60s", "--restart", "on", "--runs", runs, .. broker, .. Report("floor-cold-start")],
            (_, measured) => FloorGoals.ColdStart(measured));
    }

    /// <summary>Takes what the part's own process measured (<see cref="FloorPartProcess"/>).</summary>
    public FloorPart Adopt(IReadOnlyList<Goal> goals, long lost, string? error)
    {
        (Goals, Lost, Error) = (goals, lost, error);
        return this;
    }

    /// <summary>The part's process ended without a result: its goals go unmeasured, and the run exits 1.</summary>
    public FloorPart Failed(string why)
    {
        Error = why;
        Console.WriteLine($"== floor {Name}: could not run — {Error}");
        return this;
    }

    /// <summary>Runs the part in this process (in <c>floor</c>, the part's own: <see cref="FloorPartProcess"/>).</summary>
    public async Task<FloorPart> RunAsync()
    {
        try
        {
            await _run(this);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or WebSocketException or TimeoutException or OperationCanceledException)
        {
            // A server that would not start, a link that would not open: the other parts still run, and the table says which goals went unmeasured.
            Error = $"{e.GetType().Name}: {e.Message}";
            Console.WriteLine($"== floor {Name}: could not run — {Error}");
        }

        return this;
    }

    private static FloorPart Load(string name, string goals, string[] args, Func<LoadOptions, IReadOnlyList<TargetResult[]>, IEnumerable<Goal>> measure)
    {
        var options = LoadOptions.Parse(args);
        return new FloorPart(name, goals, options.CommandLine, async part =>
        {
            var measured = await LoadCommand.MeasureAsync(options);
            LoadCommand.Report(options, measured);
            part.Goals = [.. measure(options, measured).Select(g => g with { Command = options.CommandLine })];
            part.Lost = FloorGoals.Lost(measured);
        });
    }

    private static FloorPart Knee(string[] args)
    {
        var options = KneeOptions.Parse(args);
        var command = options.CommandLine + (options.ReportPath is { } path ? $" --report {path} --label {options.Label}" : "");
        return new FloorPart("rest", "G6", command, async part =>
        {
            var measured = await KneeCommand.MeasureAsync(options);
            KneeCommand.Report(options, measured);
            part.Goals = [.. FloorGoals.Rest(measured.Runs).Select(g => g with { Command = command })];
            part.Lost = FloorGoals.Lost(measured.Runs);
        });
    }
}
