using System.Globalization;

namespace Situk.Bench.EndToEnd;

/// <summary>What the <c>e2e</c> command measures; every phase is bounded in count, and every wait in time.</summary>
internal sealed record EndToEndOptions
{
    /// <summary>Devices connected, one user each.</summary>
    public int Devices { get; init; } = 1000;

    /// <summary>Notifications created through <c>POST /api/v1/notifications</c>, each to one user.</summary>
    public int RestCount { get; init; } = 2000;

    /// <summary>REST calls started per second.</summary>
    public double RestRate { get; init; } = 200;

    /// <summary>One-to-one publishes through the broker's internal socket, as the API sends them.</summary>
    public int DirectCount { get; init; } = 10_000;

    /// <summary>Direct publishes per second.</summary>
    public double DirectRate { get; init; } = 1000;

    /// <summary>Seconds of REST at <see cref="RestRate"/> before the measured phase, so it measures the path and not the JIT (<see cref="KneeOptions.WarmUpSeconds"/>).</summary>
    public int WarmUpSeconds { get; init; } = 30;

    /// <summary>Brokers; more than one (or more than one API instance) runs the system as a cluster on NATS.</summary>
    public int Brokers { get; init; } = 1;

    /// <summary>API instances.</summary>
    public int Apis { get; init; } = 1;

    /// <summary>Where to write the Markdown section (replacing the section of the same label), or nothing.</summary>
    public string? ReportPath { get; init; }

    public string Label { get; init; } = "e2e";

    public static EndToEndOptions Parse(IReadOnlyList<string> args)
    {
        var o = new EndToEndOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--devices" => o with { Devices = Positive(value) },
                "--rest" => o with { RestCount = Positive(value) },
                "--rest-rate" => o with { RestRate = Rate(value) },
                "--direct" => o with { DirectCount = Positive(value) },
                "--direct-rate" => o with { DirectRate = Rate(value) },
                "--warm-up" => o with { WarmUpSeconds = Positive(value) },
                "--brokers" => o with { Brokers = Positive(value) },
                "--apis" => o with { Apis = Positive(value) },
                "--report" => o with { ReportPath = value },
                "--label" => o with { Label = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return o;
    }

    public string CommandLine =>
        string.Create(CultureInfo.InvariantCulture,
            $"dotnet run -c Release --project Situk.Bench -- e2e --devices {Devices} --rest {RestCount} --rest-rate {RestRate} --warm-up {WarmUpSeconds} --direct {DirectCount} --direct-rate {DirectRate}{(Brokers > 1 || Apis > 1 ? $" --brokers {Brokers} --apis {Apis}" : "")}");

    internal static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{value}' is not a positive whole number.");

    private static double Rate(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0
            ? r
            : throw new ArgumentException($"'{value}' is not a positive rate.");
}
