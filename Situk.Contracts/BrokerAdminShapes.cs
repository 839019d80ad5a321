namespace Situk.Contracts;

/// <summary>One row of <c>GET /admin/sessions</c> on the broker; <see cref="Node"/> is the broker holding the session (<c>Situk:Broker:NodeName</c>).</summary>
public sealed record SessionInfo(
    string SessionId,
    string UserId,
    string Role,
    string DeviceClass,
    string? RemoteAddress,
    DateTimeOffset ConnectedAt,
    long FramesSent,
    long Acks,
    int QueueDepth,
    string? Node = null);

/// <summary>Body of the broker's <c>POST /admin/publish</c> (ephemeral: never stored).</summary>
public sealed record AdminPublishRequest(Audience To, AdminNotification Notification);

/// <summary>What an admin publishes; the broker assigns the id and the times.</summary>
public sealed record AdminNotification(string Kind, string Title, string Body, string? Link = null, System.Text.Json.JsonElement? Data = null);

/// <summary>
/// Answer of <c>POST /admin/publish</c>: the sessions that took it. In a cluster, <see cref="Missing"/> names the
/// brokers that did not answer in time (they may have delivered it; their sessions are not counted); absent when all did.
/// </summary>
public sealed record SessionCount(int Sessions, string[]? Missing = null);

/// <summary>
/// Answer of <c>DELETE /admin/users/{userId}/sessions</c> (and the sign-in kick). In a cluster,
/// <see cref="Missing"/> names the brokers that did not answer in time (their sessions may still be open); absent when all did.
/// </summary>
public sealed record ClosedCount(int Closed, string[]? Missing = null);

/// <summary>
/// Answer of <c>GET /admin/stats</c>. <see cref="Drops"/>: sessions closed with 1013 for a full queue;
/// <see cref="Sheds"/>: normal-priority notification frames not sent because their session's queue was full.
/// <see cref="Node"/>: the broker these figures are from; absent on a cluster total.
/// In a cluster (<c>Situk:Nats:Url</c> set) the answer is the total over the brokers that answered, with one row per
/// broker in <see cref="Brokers"/> and the brokers that did not answer in time in <see cref="Missing"/>; the total's
/// latency percentiles are the highest of the brokers' (a bound, not a merged percentile).
/// </summary>
public sealed record BrokerStats(
    int Connections,
    int Users,
    long FramesSent,
    long Acks,
    long Drops,
    LatencyPercentiles PublishToAckMs,
    long Sheds = 0,
    string? Node = null,
    BrokerStats[]? Brokers = null,
    string[]? Missing = null);

/// <summary>Milliseconds; zero when nothing has been measured yet.</summary>
public sealed record LatencyPercentiles(double P50, double P90, double P99);
