using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Relay;

/// <summary>
/// How the push relay reaches the broker and paces its work. Bound from <c>Situk:Relay</c>, except
/// <see cref="BrokerInternalUrl"/> (<c>Situk:Api:BrokerInternalUrl</c>) and <see cref="InternalKey"/>
/// (<c>Situk:Broker:InternalKey</c>), which are shared with the broker's own configuration.
/// </summary>
public sealed class RelayOptions
{
    public const string Section = "Situk:Relay";

    /// <summary>The broker's internal socket. Default <c>ws://127.0.0.1:5081/internal</c>.</summary>
    public string BrokerInternalUrl { get; set; } = "ws://127.0.0.1:5081/internal";

    /// <summary>Presented as <c>Authorization: Bearer</c> on the internal socket. Required; never logged.</summary>
    public string InternalKey { get; set; } = "";

    /// <summary>Fallback poll when no NOTIFY arrives (missed, or a row's back-off elapsed). Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a relay waits before it looks at rows another API instance wrote: that instance's relays were woken
    /// at once and most likely have them, and a look that finds them taken is a wasted claim per notification
    /// per instance. However many such rows arrive, at most one look per delay. It bounds how late rows are
    /// when their writer cannot relay them (its broker link down, or it died right after its commit). 0 looks at
    /// once. Default 200 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan OtherInstanceWakeDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a push the writing request hands to this instance's broker link (<see cref="PushHandOff"/>) is held
    /// from the relays: its outbox row is not due before then, so no relay claims it while the hand-off publishes it
    /// and marks it forwarded. When the hand-off cannot (the instance died after the commit, its queue was full), a
    /// relay's fallback poll forwards the row once the hold has passed: the hold plus <see cref="PollInterval"/> bounds
    /// how late such a push is. 0 turns the hand-off off: every push goes through the relays. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan HandOffHold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the hand-off gathers the rows it published before it marks them forwarded in one statement. A
    /// device's notification is not delayed by it. Default 100 ms, as the broker's receipt window: one statement per
    /// window whatever the rate (docs/benchmarks.md, "The receipts' batch window").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan HandOffMarkWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Pushes waiting for the hand-off; beyond it a push is left to the relays (after its hold). Default 8,192.</summary>
    [Range(1, 1_000_000)]
    public int HandOffCapacity { get; set; } = 8_192;

    /// <summary>Outbox rows claimed per transaction. Default 100.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a publish waits for the broker's <c>published</c> answer. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One connection attempt to the broker, handshake included. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles with jitter up to <see cref="ReconnectMaxDelay"/>. Default 250 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between reconnect attempts. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames queued for the socket writer; a full queue makes publishers wait. Default 1024.</summary>
    [Range(1, 1_000_000)]
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>Largest frame accepted from the broker; a bigger one drops the link. Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 1024 * 1024;

    /// <summary>Back-off of a push_outbox row whose publish failed: base, doubled per attempt. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of that back-off. Default 5 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far back undelivered notifications are pushed again when their user comes online. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan PresenceWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>At most this many undelivered notifications are pushed again per user coming online, oldest first. Default 200.</summary>
    [Range(1, 10_000)]
    public int PresenceBatchSize { get; set; } = 200;

    /// <summary>
    /// Receipts this API takes from the broker before it has stored them: the credit it grants on the
    /// internal link. Past it the broker holds receipts back (and slows the acking devices) while
    /// <c>published</c> answers keep flowing. Default 16384.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ReceiptWindow { get; set; } = 16_384;

    /// <summary>Device acks written per statement. Default 500.</summary>
    [Range(1, 100_000)]
    public int ReceiptBatchSize { get; set; } = 500;
}
