namespace Situk.Api.Cluster;

/// <summary><c>Situk:Nats</c> on the API. Without <see cref="Url"/> the relays use the internal socket to one broker.</summary>
internal sealed class NatsClusterOptions
{
    public const string Section = "Situk:Nats";

    /// <summary>
    /// The NATS server, e.g. <c>nats://127.0.0.1:4222</c>, or several servers of one NATS cluster, comma-separated
    /// (<c>nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222</c>): the first is this process's home, the
    /// others are where it fails over to (<see cref="NatsConnectionSettings"/>). Empty (the default): no cluster.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>This process's connection name on the NATS server (its monitoring pages show it); default: the kind of process, host name and process id.</summary>
    public string? Name { get; set; }
}
