using Microsoft.Extensions.Options;

namespace Situk.Broker.Cluster;

/// <summary>
/// <c>Situk:Cluster:Rebalance</c>: how a broker holding clearly more than its share of the cluster's device sessions
/// moves the excess to the others (docs/cluster.md, "Rebalancing"). Only with <c>Situk:Nats:Url</c> set.
/// </summary>
internal sealed class RebalanceOptions
{
    public const string Section = "Situk:Cluster:Rebalance";

    /// <summary>On by default; false: the broker never closes sessions to move them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How far above the cluster's mean a broker may hold before it sheds (default 1.25: a quarter more than the
    /// mean). It sheds only past both this and <see cref="Minimum"/>.
    /// </summary>
    public double Slack { get; set; } = 1.25;

    /// <summary>Sessions above the mean a broker may always hold (default 20), so a small cluster does not churn over a few devices.</summary>
    public int Minimum { get; set; } = 20;

    /// <summary>Sessions closed per second at most while shedding (default 20, jittered), so the others take the devices gradually.</summary>
    public int PerSecond { get; set; } = 20;

    /// <summary>How often the broker compares its sessions with the cluster's (default 10 s, jittered by up to a fifth).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Null when valid, else what is wrong, naming the key.</summary>
    public string? Problem() =>
        Slack < 1 || double.IsNaN(Slack) ? $"{Section}:Slack must be 1 or more (a multiple of the mean)."
        : Minimum < 0 ? $"{Section}:Minimum must be 0 or more."
        : PerSecond < 1 ? $"{Section}:PerSecond must be 1 or more."
        : Interval < TimeSpan.FromMilliseconds(100) ? $"{Section}:Interval must be at least 00:00:00.100."
        : null;
}

/// <summary>Refuses to start on invalid rebalancing options, naming the key.</summary>
internal sealed class RebalanceOptionsValidator : IValidateOptions<RebalanceOptions>
{
    public ValidateOptionsResult Validate(string? name, RebalanceOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
