using System.Globalization;

namespace Situk.Bench.Load.Soak;

/// <summary>The soak command's arguments; the defaults are the ten-minute run of <c>./build.sh --target=Soak</c>.</summary>
internal sealed record SoakOptions
{
    public int Devices { get; init; } = 1000;

    /// <summary>Broadcasts per second to every device, for the whole run.</summary>
    public double Rate { get; init; } = 5;

    public int[] PayloadBytes { get; init; } = [64, 1024];

    /// <summary>Fraction of the devices that keep leaving and coming back (the rest stay connected).</summary>
    public double Churn { get; init; } = 0.2;

    /// <summary>How long a churning device stays before it leaves: uniformly between these.</summary>
    public TimeSpan DwellMin { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan DwellMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The steady phase, after every device connected.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the broker's memory, handles and threads are read.</summary>
    public TimeSpan Sample { get; init; } = TimeSpan.FromSeconds(5);

    public int RampPerSecond { get; init; } = 500;

    /// <summary>Broker <c>QueueCapacity</c>; 0 keeps the broker's default.</summary>
    public int QueueCapacity { get; init; }

    public string? ReportPath { get; init; }

    /// <summary>Names the report section and the chart files (<c>soak/LABEL-*.png</c> beside the report).</summary>
    public string Label { get; init; } = "soak";

    public string CommandLine { get; init; } = "";

    /// <summary>What the broker is started with (the load command's launcher).</summary>
    public LoadOptions AsLoadOptions() => new() { Devices = Devices, QueueCapacity = QueueCapacity };

    public static SoakOptions Parse(string[] args)
    {
        var o = new SoakOptions { CommandLine = "dotnet run -c Release --project Situk.Bench -- soak " + string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--devices" => o with { Devices = Int(value) },
                "--rate" => o with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--payload" => o with { PayloadBytes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Int).ToArray() },
                "--churn" => o with { Churn = double.Parse(value, CultureInfo.InvariantCulture) is var c and >= 0 and <= 1 ? c : throw new ArgumentException("--churn is a fraction, 0 to 1.") },
                "--dwell" => o with { DwellMin = Span(value.Split('-')[0]), DwellMax = Span(value.Split('-')[^1]) },
                "--duration" => o with { Duration = Span(value) },
                "--sample" => o with { Sample = Span(value) },
                "--ramp" => o with { RampPerSecond = Int(value) },
                "--queue-capacity" => o with { QueueCapacity = Int(value) },
                "--report" => o with { ReportPath = value },
                "--label" => o with { Label = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
            i++;
        }

        return o.Rate > 0 && o.Devices > 0 && o.DwellMax >= o.DwellMin && o.Sample > TimeSpan.Zero
            ? o
            : throw new ArgumentException("--rate and --devices must be positive, --dwell MIN-MAX ordered, --sample positive.");
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    /// <summary>90s, 2m, 10m, 1h, 500ms, or plain seconds.</summary>
    public static TimeSpan Span(string s) =>
        s.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(Int(s[..^2]))
        : s.EndsWith('h') ? TimeSpan.FromHours(Int(s[..^1]))
        : s.EndsWith('m') ? TimeSpan.FromMinutes(Int(s[..^1]))
        : TimeSpan.FromSeconds(Int(s.TrimEnd('s')));
}
