using System.Globalization;

namespace Situk.Bench.Load;

/// <summary>The load command's arguments, with the defaults of a quick run on a laptop.</summary>
internal sealed record LoadOptions
{
    public int Devices { get; init; } = 1000;

    /// <summary><c>repeat</c>: one broadcast at a time, each drained; <c>burst</c>: all at once; <c>steady</c>: <see cref="Rate"/> per second.</summary>
    public string Pattern { get; init; } = "repeat";

    public double Rate { get; init; } = 5;

    public int Count { get; init; } = 20;

    public int[] PayloadBytes { get; init; } = [64, 1024, 16 * 1024];

    public (string Class, int Weight)[] Classes { get; init; } = [("web", 50), ("android", 30), ("ios", 20)];

    /// <summary>Per-device read throttle; devices take the listed values in turn. 0 = unthrottled.</summary>
    public int[] BandwidthKbit { get; init; } = [0];

    /// <summary>Hard deadline of the publish phase.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public string[] Targets { get; init; } = ["situk"];

    public string? ReportPath { get; init; }

    /// <summary>Names the report section and the chart files (<c>docs/benchmarks/LABEL-*.png</c>).</summary>
    public string Label { get; init; } = "load";

    /// <summary>New device sockets per second during the ramp.</summary>
    public int RampPerSecond { get; init; } = 1000;

    /// <summary>64 B broadcasts, each drained, timed to the last device: the Situk/SignalR comparison.</summary>
    public int Probes { get; init; } = 5;

    /// <summary>64 B broadcasts timed like the probes but with devices not acking, run before the probes (0: none).</summary>
    public int SilentProbes { get; init; }

    /// <summary>One-to-one HTTP publishes after the pattern, each to the next device's user (0: no such phase).</summary>
    public int Publishes { get; init; }

    /// <summary>One-to-one publishes per second.</summary>
    public double PublishRate { get; init; } = 1000;

    /// <summary>Broker <c>QueueCapacity</c>; 0 keeps the broker's default (256).</summary>
    public int QueueCapacity { get; init; }

    /// <summary>Broker <c>MaxConnections</c>; 0 keeps the broker's default (open-file limit − 512).</summary>
    public int MaxConnections { get; init; }

    /// <summary>Index of the first device this process opens (a load agent opens its share of a larger fleet).</summary>
    public int FirstDevice { get; init; }

    /// <summary>Devices per loopback source address (127.0.0.1, .2, …), to stay clear of the ephemeral port range.</summary>
    public int DevicesPerAddress { get; init; } = 5000;

    /// <summary>How long a device gathers acks into one frame, as situk.js and Situk.Client do (20 ms); 0 = one ack frame per notification, as older clients.</summary>
    public TimeSpan AckWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The server is started, the whole fleet connected and <see cref="Probes"/> broadcasts sent, and then it is
    /// killed and started again: what is measured is a restarted server taking its reconnect storm from a load
    /// generator that is already warm, as the devices of a real restart are (<c>--restart on</c>; default off).
    /// </summary>
    public bool Restart { get; init; }

    /// <summary>The broker to run: a published one (ReadyToRun, <c>./build.sh --target=PublishBroker</c>); default the build output's JIT-only <c>Situk.Broker.dll</c>.</summary>
    public string? BrokerDll { get; init; }

    /// <summary>
    /// Whole measurements, one after the other, each with fresh server processes (the targets in turn within a
    /// run); the report gives the median of the runs and their range. Default 1, at most <see cref="MaxRuns"/>.
    /// </summary>
    public int Runs { get; init; } = 1;

    public const int MaxRuns = 20;

    public string CommandLine { get; init; } = "";

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions { CommandLine = "dotnet run -c Release --project Situk.Bench -- load " + string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--devices" => o with { Devices = Int(value) },
                "--pattern" => o with { Pattern = value is "repeat" or "burst" or "steady" ? value : throw new ArgumentException("--pattern is repeat, burst or steady.") },
                "--rate" => o with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--count" => o with { Count = Int(value) },
                "--payload" => o with { PayloadBytes = List(value).Select(Int).ToArray() },
                "--classes" => o with { Classes = List(value).Select(Class).ToArray() },
                "--bandwidth-kbit" => o with { BandwidthKbit = List(value).Select(Int).ToArray() },
                "--duration" => o with { Duration = Span(value) },
                "--target" => o with { Targets = TargetList(value) },
                "--report" => o with { ReportPath = value },
                "--label" => o with { Label = value },
                "--ramp" => o with { RampPerSecond = Int(value) },
                "--probes" => o with { Probes = Int(value) },
                "--silent-probes" => o with { SilentProbes = Int(value) },
                "--publish" => o with { Publishes = Int(value) },
                "--publish-rate" => o with { PublishRate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--queue-capacity" => o with { QueueCapacity = Int(value) },
                "--max-connections" => o with { MaxConnections = Int(value) },
                "--devices-per-address" => o with { DevicesPerAddress = Int(value) },
                "--ack-window" => o with { AckWindow = TimeSpan.FromMilliseconds(Int(value)) },
                "--broker-dll" => o with { BrokerDll = Path.GetFullPath(value) },
                "--runs" => o with { Runs = RunCount(value) },
                "--restart" => o with { Restart = value switch { "on" => true, "off" => false, _ => throw new ArgumentException("--restart is on or off.") } },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
            i++;
        }

        return o;
    }

    /// <summary>The device class of device <paramref name="index"/>, by the weights, interleaved.</summary>
    public string ClassOf(int index)
    {
        var total = Classes.Sum(c => c.Weight);
        var slot = index % total;
        foreach (var (name, weight) in Classes)
        {
            if (slot < weight)
            {
                return name;
            }

            slot -= weight;
        }

        return Classes[^1].Class;
    }

    public int BandwidthOf(int index) => BandwidthKbit[(index / 7) % BandwidthKbit.Length];

    /// <summary><c>both</c> is Situk and SignalR, <c>all</c> Situk, bare Kestrel and SignalR, or a list of <c>situk</c>, <c>kestrel</c>, <c>signalr</c>.</summary>
    private static string[] TargetList(string value)
    {
        string[] names = value switch
        {
            "both" => ["situk", "signalr"],
            "all" => ["situk", "kestrel", "signalr"],
            _ => List(value),
        };
        return names.Length > 0 && names.All(static n => n is "situk" or "kestrel" or "signalr") && names.Distinct().Count() == names.Length
            ? names
            : throw new ArgumentException("--target is situk, kestrel, signalr (or a list of them), both (situk,signalr) or all.");
    }

    /// <summary>A whole number of runs from 1 to <see cref="MaxRuns"/>, or an answer naming the option.</summary>
    public static int RunCount(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs is >= 1 and <= MaxRuns
            ? runs
            : throw new ArgumentException($"--runs is a whole number of runs from 1 to {MaxRuns}, not '{value}'.");

    private static int Int(string s) => int.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static string[] List(string s) => s.Split([',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (string, int) Class(string s) => s.Split(':') is [var name, var weight] ? (name, Int(weight)) : (s, 1);

    private static TimeSpan Span(string s) =>
        s.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(Int(s[..^2]))
        : s.EndsWith('m') ? TimeSpan.FromMinutes(Int(s[..^1]))
        : TimeSpan.FromSeconds(Int(s.TrimEnd('s')));
}
