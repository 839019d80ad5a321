using System.Globalization;

namespace Situk.Bench.EndToEnd;

/// <summary>What the <c>knee</c> command measures; every phase is bounded in count, and every wait in time.</summary>
internal sealed record KneeOptions
{
    /// <summary>Devices connected, one candidate each; every REST call goes to one of them.</summary>
    public int Devices { get; init; } = 1000;

    /// <summary>REST call rates, one phase each, lowest first.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [50, 100, 200, 400, 800];

    /// <summary>Seconds each rate is held.</summary>
    public int Seconds { get; init; } = 10;

    /// <summary>
    /// Seconds of REST at the first rate before anything is measured. A fresh API instance spends its first 20-30 s
    /// of load in the JIT (tier-0 code, then tier-1 recompiles: 25 s in, 28-30 % of its perf samples were in libclrjit),
    /// so a phase measured sooner measures the JIT, not the path.
    /// </summary>
    public int WarmUpSeconds { get; init; } = 30;

    /// <summary>Runs, each on a fresh system (database, broker, API), so that each is an independent sample.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>A run stops climbing once a rate's p99 passes this: every higher rate is further past the knee.</summary>
    public double StopAboveP99Ms { get; init; } = 5_000;

    /// <summary>Loads pg_stat_statements and reports which statements took PostgreSQL's time, per notification.</summary>
    public bool Statements { get; init; }

    /// <summary>
    /// After each run's rates, holds the bare endpoint (<see cref="Baseline.RestBaseline"/>) at the same rates: the floor
    /// under the API's CPU per notification on this machine (<see cref="BareRestPhases"/>).
    /// </summary>
    public bool Bare { get; init; }

    public string? ReportPath { get; init; }

    public string Label { get; init; } = "knee";

    public static KneeOptions Parse(IReadOnlyList<string> args)
    {
        var o = new KneeOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (args[i] is "--statements" or "--bare")
            {
                o = args[i] == "--bare" ? o with { Bare = true } : o with { Statements = true };
                i--;
                continue;
            }

            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--devices" => o with { Devices = Positive(value) },
                "--rates" => o with { Rates = [.. value.Split(',').Select(Positive).Order()] },
                "--seconds" => o with { Seconds = Positive(value) },
                "--runs" => o with { Runs = Positive(value) },
                "--warm-up" => o with { WarmUpSeconds = Positive(value) },
                "--stop-above-p99" => o with { StopAboveP99Ms = Positive(value) },
                "--report" => o with { ReportPath = value },
                "--label" => o with { Label = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return o;
    }

    public string CommandLine =>
        string.Create(CultureInfo.InvariantCulture,
            $"dotnet run -c Release --project Situk.Bench -- knee --devices {Devices} --rates {string.Join(',', Rates)} --seconds {Seconds} --warm-up {WarmUpSeconds} --runs {Runs}{(Statements ? " --statements" : "")}{(Bare ? " --bare" : "")}");

    private static int Positive(string value) => EndToEndOptions.Positive(value);
}
