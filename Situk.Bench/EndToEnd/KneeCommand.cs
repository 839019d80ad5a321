using System.Diagnostics;
using Situk.Bench.Load.Report;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// <c>knee</c>: REST commit → device against the request rate, on the <c>e2e</c> command's system (PostgreSQL,
/// one broker, one API instance, the devices connected), one phase per rate, lowest first, each held for
/// <c>--seconds</c> and waited out until its last notification arrived. Besides the delays it reads the CPU
/// each process used for the phase (API, broker, PostgreSQL with its backends, the bench itself), so every
/// rate also says what one notification costs. Each run starts a fresh system; a run stops climbing once a
/// rate's p99 is past <c>--stop-above-p99</c>. Exit 1 on any loss or refused call.
/// </summary>
internal static class KneeCommand
{
    private const string Usage =
        "usage: Situk.Bench knee [--devices N] [--rates 50,100,200,400,800] [--seconds S] [--warm-up S] [--runs N] [--stop-above-p99 ms] [--statements] [--bare] [--report FILE] [--label NAME]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        KneeOptions options;
        try
        {
            options = KneeOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        var runs = await MeasureAsync(options);
        return Report(options, runs);
    }

    /// <summary>Every run of <paramref name="options"/>, each on a fresh system; bounded by the phases' waits.</summary>
    internal static async Task<KneeRuns> MeasureAsync(KneeOptions options)
    {
        Console.WriteLine($"== knee: {options.Devices} devices; REST at {string.Join(", ", options.Rates)}/s for {options.Seconds} s each; {options.Runs} runs");
        var runs = new List<KneeRun>();
        var load = new List<double>();
        for (var r = 0; r < options.Runs; r++)
        {
            load.Add(LoadAverage());
            runs.Add(await RunOnceAsync(options, r + 1));
        }

        load.Add(LoadAverage());
        return new KneeRuns(runs, load);
    }

    /// <summary>Prints the section and, with <c>--report</c>, writes it and the chart; 1 when anything was lost or refused, else 0.</summary>
    internal static int Report(KneeOptions options, KneeRuns measured)
    {
        var (runs, load) = measured;
        var section = KneeReport.Section(options, runs, load, MachineInfo.Describe());
        Console.WriteLine();
        Console.WriteLine(section);
        if (options.ReportPath is { } path)
        {
            KneeReport.WriteChart(ReportFile.ChartFolderBeside(path), options, runs);
            ReportFile.WriteSection(path, "knee", options.Label, section);
            Console.WriteLine($"Report section 'knee:{options.Label}' written to {path}.");
        }

        return runs.Sum(r => r.Points.Sum(p => p.Sent - p.Received + p.Refused + (p.Bare?.Refused ?? 0) + (p.BarePush?.Refused ?? 0) + (p.BarePush?.Lost ?? 0))) == 0 ? 0 : 1;
    }

    private static async Task<KneeRun> RunOnceAsync(KneeOptions options, int number)
    {
        var clock = Stopwatch.StartNew();
        await using var system = await SitukSystem.StartAsync(statements: options.Statements);
        var users = await system.CreateCandidatesAsync(options.Devices);
        DelayRecorder? current = null;
        await using var devices = new EndToEndDevices(_ => Volatile.Read(ref current));
        await devices.ConnectAsync(system, users, TimeSpan.FromMinutes(2));
        Console.WriteLine($"[knee run {number} {clock.Elapsed:mm\\:ss}] {devices.Connected} devices connected");
        var admins = await EndToEndCommand.AdminClientsAsync(system);
        var run = new KneeRun(number, devices.Connected);
        try
        {
            void Use(DelayRecorder? recorder) => Volatile.Write(ref current, recorder);
            await EndToEndCommand.WarmUpAsync(admins, users, Use, options.Rates[0], options.WarmUpSeconds);
            if (options.Statements)
            {
                await system.ResetStatementsAsync();
            }

            foreach (var rate in options.Rates)
            {
                var before = Cpu.Read(system);
                var phase = Stopwatch.StartNew();
                var (delays, calls, refused) = await EndToEndCommand.RestPhaseAsync(admins, users, Use, $"REST {rate}/s", rate * options.Seconds, rate);
                var cost = Cpu.Read(system) - before;
                var point = new KneePoint(rate, delays.Expected, delays.Received, delays.Duplicates, refused, delays.Snapshot(), calls, cost, phase.Elapsed);
                run.Points.Add(point);
                Console.WriteLine(
                    $"[knee run {number} {clock.Elapsed:mm\\:ss}] {rate}/s: {point.Received:N0}/{point.Sent:N0}, p50 {point.P50Ms:0.0} ms, p99 {point.P99Ms:0.0} ms; " +
                    $"CPU per notification: API {point.ApiMsPer:0.00} ms, broker {point.BrokerMsPer:0.00}, PostgreSQL {point.PostgresMsPer:0.00}");
                if (point.P99Ms > options.StopAboveP99Ms)
                {
                    Console.WriteLine($"  p99 past {options.StopAboveP99Ms} ms: higher rates are further past the knee; this run stops here.");
                    break;
                }
            }

            if (options.Bare)
            {
                await BareRestPhases.MeasureAsync(system, options, run, [.. users], Use, () => clock.Elapsed.ToString(@"mm\:ss", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            if (options.Statements)
            {
                run.Statements.AddRange(await system.TopStatementsAsync(12));
            }

            foreach (var admin in admins)
            {
                admin.Dispose();
            }
        }

        return run;
    }

    /// <summary>The 1-minute load average from <c>/proc/loadavg</c>: how busy the shared machine was around a run.</summary>
    internal static double LoadAverage() =>
        double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : double.NaN;
}

/// <summary>CPU seconds used, per process group of the system under test.</summary>
internal readonly record struct Cpu(double Api, double Broker, double Postgres, double Bench)
{
    public static Cpu Read(SitukSystem system) => new(
        system.Apis.Sum(a => a.CpuSeconds()),
        system.Brokers.Sum(b => b.CpuSeconds()),
        system.PostgresCpuSeconds(),
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

    public static Cpu operator -(Cpu a, Cpu b) => new(a.Api - b.Api, a.Broker - b.Broker, a.Postgres - b.Postgres, a.Bench - b.Bench);
}

/// <summary>The runs of one <c>knee</c> command and the load average (1 min) before each and at the end.</summary>
internal sealed record KneeRuns(IReadOnlyList<KneeRun> Runs, IReadOnlyList<double> Load);

internal sealed record KneeRun(int Number, int Devices)
{
    public List<KneePoint> Points { get; } = [];

    /// <summary>With <c>--statements</c>: the statements that took PostgreSQL's time over every rate of the run.</summary>
    public List<(string Query, long Calls, double TotalMs, double PlanMs, long Rows)> Statements { get; } = [];
}

internal sealed record KneePoint(
    int Rate, int Sent, long Received, int Duplicates, int Refused,
    HdrHistogram.LongHistogram Delays, HdrHistogram.LongHistogram Calls, Cpu Cost, TimeSpan Elapsed)
{
    /// <summary>With <c>--bare</c>: the bare endpoint at the same rate, measured after the run's rates.</summary>
    public BarePoint? Bare { get; set; }

    /// <summary>With <c>--bare</c>: the bare endpoint that also pushes what it stored, measured after the bare endpoint.</summary>
    public BarePoint? BarePush { get; set; }

    public double P50Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(50) / 1000.0;

    public double P99Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(99) / 1000.0;

    public double CallP99Ms => Calls.TotalCount == 0 ? double.NaN : Calls.GetValueAtPercentile(99) / 1000.0;

    public double ApiMsPer => Cost.Api * 1000 / Sent;

    public double BrokerMsPer => Cost.Broker * 1000 / Sent;

    public double PostgresMsPer => Cost.Postgres * 1000 / Sent;

    /// <summary>The API's share of one core over the phase (calls, then waiting for the last delivery).</summary>
    public double ApiCores => Cost.Api / Elapsed.TotalSeconds;
}
