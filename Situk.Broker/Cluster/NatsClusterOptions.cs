namespace Situk.Broker.Cluster;

/// <summary><c>Situk:Nats</c> on the broker. Without <see cref="Url"/> the broker talks to API instances over the internal socket only.</summary>
internal sealed class NatsClusterOptions : Situk.Nats.NatsConnectionOptions
{
    /// <summary>
    /// Receipts waiting for an API instance to answer, in serialised bytes (default 8 MiB, about 40,000
    /// receipts). Past it the receipt batcher waits, which slows the devices acking, as receipt credit does
    /// on the internal socket.
    /// </summary>
    public long ReceiptBacklogBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How long a receipts request waits for an API instance's answer (default 5 s) before it is sent again.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First and largest pause between attempts to hand over a receipts batch (defaults 100 ms and 5 s; exponential, with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a management request (<c>/admin/*</c> in a cluster) waits for the other brokers' answers (default 2 s);
    /// a broker that has not answered by then is named in <c>missing</c>.
    /// </summary>
    public TimeSpan AdminTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a broker announces itself on <c>situk.admin.heartbeat</c> (default 5 s).</summary>
    public TimeSpan AdminHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a broker is remembered after its last heartbeat (default 15 s, three heartbeats): until then a
    /// broker that does not answer is named missing; after it, it is taken as gone and no longer expected.
    /// </summary>
    public TimeSpan AdminNodeTtl { get; set; } = TimeSpan.FromSeconds(15);
}
