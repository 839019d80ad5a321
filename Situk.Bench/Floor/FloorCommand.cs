using System.Diagnostics;
using Situk.Bench.EndToEnd;
using Situk.Bench.Load;
using Situk.Bench.Load.Report;

namespace Situk.Bench.Floor;

/// <summary>
/// <c>floor</c>: every "performance at the floor" goal from the commands that measure it, run one after the other,
/// each in a bench process of its own (<see cref="FloorPartProcess"/>): <c>knee</c> with the bare endpoint (G6),
/// <c>load</c> with all three servers at 10,000 devices (G1–G3), <c>load</c> at the connection cap (G4), <c>load</c>
/// against a fresh broker with every device reconnecting at once (G5). Each writes its own section as it does alone,
/// then one table, <c>floor:goals</c>: per goal the median [range] of the runs, the target, met or missed by how much,
/// and the command behind the figure. Every phase of every command has its own deadline, so the whole stops by
/// itself. Exit 1 when anything was lost or a command could not run.
/// </summary>
internal static class FloorCommand
{
    private const string Usage = """
        floor [--quick] [--runs N] [--devices-scale F] [--broker-dll PATH] [--report docs/benchmarks.md]
          Runs load (10,000 devices, all three servers), load (19,600, the broker), load (a cold start, 10,000
          reconnecting at once) and knee (1,000 devices, 100/200/400 per second, the bare endpoint beside it), 3
          runs each, and reports every floor goal met or missed. Every phase has a hard deadline, so it stops by
          itself: about 15 min on a quiet 2-core machine; --quick (1 run each; 2,000 / 5,000 / 2,000 devices,
          knee at 100/200 per second for 5 s) about 5 min, and its figures are not the reportable ones.
          --devices-scale F (0 < F <= 1) shrinks every size further, to try the command itself. --broker-dll: default artifacts/broker/Situk.Broker.dll when it
          exists (./build.sh --target=PublishBroker), else the bench's own JIT-only copy.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(Usage);
            return 0;
        }

        FloorOptions options;
        try
        {
            options = FloorOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var parts = new List<FloorPart>();
        var load = new List<double> { KneeCommand.LoadAverage() };
        FloorPart[] plan = [.. FloorPart.Plan(options)];
        foreach (var part in plan)
        {
            Console.WriteLine($"== floor {parts.Count + 1} of {plan.Length} ({clock.Elapsed:hh\\:mm\\:ss}): {part.Command}");
            parts.Add(await FloorPartProcess.RunAsync(part, parts.Count, args));
            load.Add(KneeCommand.LoadAverage());
        }

        var section = FloorReport.Section(options, parts, load, clock.Elapsed, MachineInfo.Describe());
        Console.WriteLine();
        Console.WriteLine(section);
        if (options.ReportPath is { } path)
        {
            ReportFile.WriteSection(path, "floor", "goals", section);
            Console.WriteLine($"Report section 'floor:goals' written to {path}.");
        }

        return parts.All(p => p.Error is null && p.Lost == 0) ? 0 : 1;
    }
}
