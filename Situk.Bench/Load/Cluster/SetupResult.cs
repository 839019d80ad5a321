using HdrHistogram;

namespace Situk.Bench.Load.Cluster;

/// <summary>What one setup (the single node, or the cluster) measured in one run.</summary>
internal sealed class SetupResult(string setup, int brokers, int asked)
{
    public string Setup { get; } = setup;

    public int Brokers { get; } = brokers;

    public int Asked { get; } = asked;

    public int Connected { get; set; }

    public int HeldAtEnd { get; set; }

    public bool BrokersAlive { get; set; }

    public Dictionary<string, int> Refused { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Closed { get; } = new(StringComparer.Ordinal);

    public double ConnectSeconds { get; set; }

    /// <summary>Cluster: from the last device connected until every broker listened on every user's subject (s).</summary>
    public double FollowLagSeconds { get; set; } = double.NaN;

    /// <summary>Every broker's VmRSS before the first device and 3 s after the last one connected, summed.</summary>
    public long RssIdle { get; set; }

    public long RssConnected { get; set; }

    public long RssPeak { get; set; }

    public double RssPerDevice => Connected > 0 ? (RssConnected - RssIdle) / (double)Connected : double.NaN;

    public List<double> ProbeMs { get; } = [];

    public long ProbeReceived { get; set; }

    public long ProbeExpected { get; set; }

    public List<OneToOneResult> OneToOne { get; } = [];

    /// <summary>nats-server, in the cluster setup only.</summary>
    public ProcessCost? Nats { get; set; }

    /// <summary>All brokers together.</summary>
    public ProcessCost BrokerCost { get; } = new();

    public long Losses => ProbeExpected - ProbeReceived + OneToOne.Sum(o => o.Sent - o.Received);

    public double ProbeMedianMs => Median(ProbeMs);

    public static double Median(IEnumerable<double> values) => Report.MedianRange.Median(values);
}

/// <summary>One rate's delays, for the knee tables.</summary>
internal interface IRatePoint
{
    int Sent { get; }

    long Received { get; }

    double P50Ms { get; }

    double P99Ms { get; }
}

/// <summary>One rate of one-to-one publishes.</summary>
internal sealed record OneToOneResult(int Rate, int Sent, long Received, LongHistogram Delays) : IRatePoint
{
    public double P50Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(50) / 1000.0;

    public double P99Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(99) / 1000.0;

    public double MaxMs => Delays.TotalCount == 0 ? double.NaN : Delays.GetMaxValue() / 1000.0;
}

/// <summary>A process's (or several processes') CPU use by phase (% of one core) and RSS.</summary>
internal sealed class ProcessCost
{
    public Dictionary<string, double> CpuPercent { get; } = new(StringComparer.Ordinal);

    public long RssIdle { get; set; }

    public long RssConnected { get; set; }

    public long RssPeak { get; set; }
}
