using Situk.Bench.Load.Report;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// <c>Situk.Bench cluster …</c>: the same figures for one broker and for a cluster of brokers on NATS, in one
/// run, repeated <c>--runs</c> times for their spread. Per run: the single node with one broker's share of the
/// devices, the cluster with all of them (spread over load processes and loopback source addresses), then
/// REST commit → device on PostgreSQL for both. Every phase is bounded in count and time; the command ends
/// by itself, stops every process it started, and exits 1 when anything was lost or a broker died.
/// </summary>
public static class ClusterCommand
{
    private const string Usage = """
        cluster [--brokers 3] [--devices 54000] [--agents 3] [--apis 2] [--runs 3] [--ramp 1000] [--probes 5]
                [--one-to-one-rates 500,1000,2000,4000] [--one-to-one-seconds 5]
                [--rest-devices 1000] [--rest-rates 100,200,400] [--rest-seconds 5] [--rest-warm-up 30]
                [--devices-per-address 5000] [--report docs/benchmarks.md] [--label cluster]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ClusterOptions options;
        try
        {
            options = ClusterOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        var runs = new List<ClusterRun>();
        for (var r = 1; r <= options.Runs; r++)
        {
            Console.WriteLine($"==== run {r} of {options.Runs}");
            var single = await ClusterSetup.RunAsync(options, cluster: false);
            var cluster = await ClusterSetup.RunAsync(options, cluster: true);
            var restSingle = await RestSetup.RunAsync(options, cluster: false);
            var restCluster = await RestSetup.RunAsync(options, cluster: true);
            runs.Add(new ClusterRun(single, cluster, restSingle, restCluster));
            Console.WriteLine();
            Console.WriteLine(ClusterReport.Section(options, runs, MachineInfo.Describe(), chartFolder: null));
            if (options.ReportPath is { } path)
            {
                // After every run: a command stopped early leaves the runs it finished.
                ClusterReport.Write(path, options, runs, MachineInfo.Describe());
                Console.WriteLine($"Report section 'cluster:{options.Label}' written to {path} ({runs.Count} of {options.Runs} runs).");
            }
        }

        var healthy = runs.All(r => r.Single.Losses == 0 && r.Cluster.Losses == 0 && r.Single.BrokersAlive && r.Cluster.BrokersAlive
            && r.RestSingle.Rates.Concat(r.RestCluster.Rates).All(x => x.Received == x.Sent && x.Refused == 0));
        return healthy ? 0 : 1;
    }
}

/// <summary>One run: the two load setups and the two REST setups.</summary>
internal sealed record ClusterRun(SetupResult Single, SetupResult Cluster, RestResult RestSingle, RestResult RestCluster);
