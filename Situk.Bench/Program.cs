return args switch
{
    ["load", .. var rest] => await Situk.Bench.Load.LoadCommand.RunAsync(rest),
    ["cluster", .. var rest] => await Situk.Bench.Load.Cluster.ClusterCommand.RunAsync(rest),
    ["load-agent", .. var rest] => await Situk.Bench.Load.Cluster.LoadAgent.RunAsync(rest),
    ["soak", .. var rest] => await Situk.Bench.Load.Soak.SoakCommand.RunAsync(rest),
    ["e2e", .. var rest] => await Situk.Bench.EndToEnd.EndToEndCommand.RunAsync(rest),
    ["knee", .. var rest] => await Situk.Bench.EndToEnd.KneeCommand.RunAsync(rest),
    ["floor", .. var rest] => await Situk.Bench.Floor.FloorCommand.RunAsync(rest),
    ["floor-part", .. var rest] => await Situk.Bench.Floor.FloorPartProcess.RunAsync(rest),
    ["baseline-signalr", .. var rest] => await Situk.Bench.Baseline.SignalRBaseline.RunAsync(rest),
    ["baseline-kestrel", .. var rest] => await Situk.Bench.Baseline.KestrelBaseline.RunAsync(rest),
    ["baseline-rest", .. var rest] => await Situk.Bench.Baseline.RestBaseline.RunAsync(rest),
    _ => Benchmarks(args),
};

static int Benchmarks(string[] args)
{
    BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Situk.Bench.Load.LoadCommand).Assembly).Run(args);
    return 0;
}
