using System.Globalization;
using Situk.Bench.Load;

namespace Situk.Bench.Floor;

/// <summary>
/// What <c>floor</c> runs: the sizes of the goals (10,000 devices, 19,600 at the connection cap, 1,000 for REST and publishes)
/// and 3 runs of each command in full; <c>--quick</c> is 1 run each at smaller sizes (not the reportable figures).
/// </summary>
internal sealed record FloorOptions
{
    public bool Quick { get; init; }

    /// <summary>Runs of each command; default 3 in full, 1 with <c>--quick</c>.</summary>
    public int? RunsOverride { get; init; }

    /// <summary>Multiplies every device count and the publishes (0 &lt; F ≤ 1), for a small trial of the command itself.</summary>
    public double DevicesScale { get; init; } = 1;

    /// <summary>The broker the load commands run; default the published ReadyToRun one when it exists (<c>./build.sh --target=PublishBroker</c>).</summary>
    public string? BrokerDll { get; init; } = File.Exists(DefaultBrokerDll) ? Path.GetFullPath(DefaultBrokerDll) : null;

    public string? ReportPath { get; init; }

    public const string DefaultBrokerDll = "artifacts/broker/Situk.Broker.dll";

    public int Runs => RunsOverride ?? (Quick ? 1 : 3);

    /// <summary>G1–G3: the broadcast goals' size (10,000 devices).</summary>
    public int BroadcastDevices => Scaled(Quick ? 2_000 : 10_000);

    /// <summary>G4: past the broker's default cap (19,488 at <c>ulimit -n</c> 20,000), so that it holds as many as it will.</summary>
    public int MemoryDevices => Scaled(Quick ? 5_000 : 19_600);

    /// <summary>G5: devices reconnecting at once to a fresh broker.</summary>
    public int ColdStartDevices => Scaled(Quick ? 2_000 : 10_000);

    /// <summary>G6: devices connected while REST calls go to them.</summary>
    public int RestDevices => Scaled(1_000);

    /// <summary>G3: devices connected while one-to-one publishes go to them.</summary>
    public int PublishDevices => Scaled(1_000);

    /// <summary>G3: one-to-one publishes at 1,000/s.</summary>
    public int Publishes => Scaled(Quick ? 3_000 : 10_000);

    public string CommandLine { get; init; } = "";

    public static FloorOptions Parse(IReadOnlyList<string> args)
    {
        var o = new FloorOptions { CommandLine = "dotnet run -c Release --project Situk.Bench -- floor " + string.Join(' ', args) };
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--quick")
            {
                o = o with { Quick = true };
                continue;
            }

            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i - 1] switch
            {
                "--runs" => o with { RunsOverride = LoadOptions.RunCount(value) },
                "--devices-scale" => o with { DevicesScale = Scale(value) },
                "--broker-dll" => o with { BrokerDll = File.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--broker-dll: no file {value}.") },
                "--report" => o with { ReportPath = value },
                _ => throw new ArgumentException($"Unknown option {args[i - 1]}."),
            };
        }

        return o;
    }

    private int Scaled(int devices) => Math.Max(50, (int)Math.Round(devices * DevicesScale));

    private static double Scale(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is > 0 and <= 1
            ? f
            : throw new ArgumentException($"--devices-scale is a fraction above 0 and at most 1, not '{value}'.");
}
