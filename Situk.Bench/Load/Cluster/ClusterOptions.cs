using System.Globalization;

namespace Situk.Bench.Load.Cluster;

/// <summary>The <c>cluster</c> command's arguments; the defaults are the documented run on one 2-core machine.</summary>
internal sealed record ClusterOptions
{
    /// <summary>Brokers in the cluster; the single-node setup of the same run has one.</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Devices across the cluster; the single node gets <c>Devices / Brokers</c>, one broker's share.</summary>
    public int Devices { get; init; } = 54_000;

    /// <summary>Load processes; each opens at most <see cref="MaxDevicesPerAgent"/> devices (its open-file limit).</summary>
    public int Agents { get; init; } = 3;

    /// <summary>API instances of the REST setup through the cluster.</summary>
    public int Apis { get; init; } = 2;

    /// <summary>Whole runs (single node, then cluster), for the spread of every figure.</summary>
    public int Runs { get; init; } = 3;

    public int RampPerSecond { get; init; } = 1000;

    /// <summary>64 B broadcasts per setup, each timed to the last device.</summary>
    public int Probes { get; init; } = 5;

    /// <summary>One-to-one publish rates (per second), each for <see cref="OneToOneSeconds"/>, to find the knee.</summary>
    public int[] OneToOneRates { get; init; } = [500, 1000, 2000, 4000];

    public int OneToOneSeconds { get; init; } = 5;

    /// <summary>Devices of the REST setups (one candidate each, on a real PostgreSQL).</summary>
    public int RestDevices { get; init; } = 1000;

    /// <summary>REST call rates (per second), each for <see cref="RestSeconds"/>.</summary>
    public int[] RestRates { get; init; } = [100, 200, 400];

    public int RestSeconds { get; init; } = 5;

    /// <summary>Seconds of REST at the first rate before the REST setups are measured (<see cref="EndToEnd.KneeOptions.WarmUpSeconds"/>).</summary>
    public int RestWarmUpSeconds { get; init; } = 30;

    public int DevicesPerAddress { get; init; } = 5000;

    public string? ReportPath { get; init; }

    public string Label { get; init; } = "cluster";

    public string CommandLine { get; init; } = "";

    /// <summary>Devices one load process may hold: 20,000 open files less room for the runtime.</summary>
    public const int MaxDevicesPerAgent = 19_500;

    public static ClusterOptions Parse(string[] args)
    {
        var o = new ClusterOptions { CommandLine = "dotnet run -c Release --project Situk.Bench -- cluster " + string.Join(' ', args) };
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--brokers" => o with { Brokers = Positive(value) },
                "--devices" => o with { Devices = Positive(value) },
                "--agents" => o with { Agents = Positive(value) },
                "--apis" => o with { Apis = Positive(value) },
                "--runs" => o with { Runs = Positive(value) },
                "--ramp" => o with { RampPerSecond = Positive(value) },
                "--probes" => o with { Probes = Positive(value) },
                "--one-to-one-rates" => o with { OneToOneRates = [.. value.Split(',').Select(Positive)] },
                "--one-to-one-seconds" => o with { OneToOneSeconds = Positive(value) },
                "--rest-devices" => o with { RestDevices = Positive(value) },
                "--rest-rates" => o with { RestRates = [.. value.Split(',').Select(Positive)] },
                "--rest-seconds" => o with { RestSeconds = Positive(value) },
                "--rest-warm-up" => o with { RestWarmUpSeconds = Positive(value) },
                "--devices-per-address" => o with { DevicesPerAddress = Positive(value) },
                "--report" => o with { ReportPath = value },
                "--label" => o with { Label = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (o.Brokers < 2)
        {
            throw new ArgumentException("--brokers is at least 2 (the single node is measured in the same run anyway).");
        }

        if ((o.Devices + o.Agents - 1) / o.Agents > MaxDevicesPerAgent)
        {
            throw new ArgumentException($"{o.Devices} devices over {o.Agents} load processes is more than {MaxDevicesPerAgent} each: raise --agents.");
        }

        if ((o.Devices / 254.0) > o.DevicesPerAddress)
        {
            throw new ArgumentException("Not enough loopback source addresses: raise --devices-per-address.");
        }

        return o;
    }

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{value}' is not a positive whole number.");
}
