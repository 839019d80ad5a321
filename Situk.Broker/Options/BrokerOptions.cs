namespace Situk.Broker.Options;

/// <summary>
/// <c>Situk:Broker</c>: where the broker listens, its keys and its limits. Every default here is the
/// production default; docs/broker.md lists them all.
/// </summary>
public sealed class BrokerOptions
{
    public const string Section = "Situk:Broker";

    /// <summary>Device listener. Default <c>http://0.0.0.0:5080</c>; port 0 picks a free port.</summary>
    public string DeviceUrl { get; set; } = "http://0.0.0.0:5080";

    /// <summary>Internal socket and management listener. Default loopback only: <c>http://127.0.0.1:5081</c>.</summary>
    public string InternalUrl { get; set; } = "http://127.0.0.1:5081";

    /// <summary>What an API instance presents on <c>/internal</c>. Required.</summary>
    public string InternalKey { get; set; } = "";

    /// <summary>What admins present to <c>/admin/*</c> and <c>/metrics</c>. Required.</summary>
    public string AdminKey { get; set; } = "";

    /// <summary>
    /// Browser origins allowed to open device sockets besides the broker's own device page (array or comma
    /// list). Default none: only the page the broker serves, and apps (no <c>Origin</c>). <c>*</c> allows any.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The REST API the device page signs in against, served to it as <c>/config.json</c>. Default <c>http://localhost:5000</c>.</summary>
    public string PublicApiUrl { get; set; } = "http://localhost:5000";

    /// <summary>Sessions one user may hold; opening one more closes the oldest with 1000 "replaced". Default 10.</summary>
    public int MaxSessionsPerUser { get; set; } = 10;

    /// <summary>Frames queued per session before the session is closed with 1013 as too slow. Default 256.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Largest inbound device message in bytes; larger is closed with 1009. Default 4096.</summary>
    public int MaxFrameBytes { get; set; } = 4096;

    /// <summary>Most ids one ack frame may carry; more is closed with 1008. Default 256.</summary>
    public int MaxAckIds { get; set; } = 256;

    /// <summary>
    /// Inbound device frames (ack or read) one session may send per second on average: the refill of its
    /// token bucket. A session that empties its bucket is closed with 1008 "inbound frame rate". Default 50;
    /// a real client sends one frame per notification shown or read, or one per 200 ids when it batches.
    /// </summary>
    public int InboundFramesPerSecond { get; set; } = 50;

    /// <summary>Inbound frames one session may send at once (its token bucket's size). Default 500: a device
    /// coming back online acks the up to 200 notifications the API pushes again, one frame each, with room to spare.</summary>
    public int InboundFrameBurst { get; set; } = 500;

    /// <summary>Notification ids one session remembers having acked; a repeated id makes no new receipt. Default 256.</summary>
    public int AckMemory { get; set; } = 256;

    /// <summary>
    /// Receipts one session may hold in the broker's receipt queue. A session at its share stops reading its
    /// socket until the batcher has taken them, so one device acking fast never crowds out another's receipts.
    /// Default 1024.
    /// </summary>
    public int ReceiptShare { get; set; } = 1024;

    /// <summary>Receipts queued in the broker at most, all sessions together; when full, acking sessions wait. Default 100000.</summary>
    public int ReceiptBacklog { get; set; } = 100_000;

    /// <summary>Seconds between WebSocket pings; also sent to devices in the welcome frame. Default 25.</summary>
    public int HeartbeatSeconds { get; set; } = 25;

    /// <summary>Seconds to wait for a pong before the peer is dropped. Default 15.</summary>
    public int HeartbeatTimeoutSeconds { get; set; } = 15;

    /// <summary>Seconds a closing socket gets to finish the close handshake before it is aborted. Default 5.</summary>
    public int CloseTimeoutSeconds { get; set; } = 5;

    /// <summary>Device sockets at once; past it new ones get 503. Zero (default) = open-file limit − 512.</summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// Device connections per second per client address (token bucket refill), spent only by devices with a
    /// valid token and origin. Default 30: a whole burst is back within 20 s.
    /// </summary>
    public int ConnectRatePerSecond { get; set; } = 30;

    /// <summary>
    /// Burst of device connections per client address (token bucket size). Default 600: a test-site lab puts
    /// up to 300 candidates behind one NAT address, each with up to two devices, and after a broker restart
    /// they all reconnect within a second or two (docs/broker.md, "Admission").
    /// </summary>
    public int ConnectBurst { get; set; } = 600;

    /// <summary>
    /// Refused attempts (a bad or expired token, a foreign origin) per second per client address, a bucket
    /// of their own; past it a refusal is answered 429. Default 10.
    /// </summary>
    public int RefusedRatePerSecond { get; set; } = 10;

    /// <summary>Burst of refused attempts per client address. Default 600: a lab's reconnect storm on expired tokens still hears 401.</summary>
    public int RefusedBurst { get; set; } = 600;

    /// <summary>
    /// Proxies (IP addresses) whose <c>X-Forwarded-For</c> names the client (array or comma list). Default none:
    /// the socket's address is the client's.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose proxies are trusted like <see cref="KnownProxies"/>. Default none.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Seconds a client has to send its request headers (the upgrade request). Default 10.</summary>
    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Device upgrades are answered on the raw connection, leaving Kestrel's HTTP/1.1 layer behind (about half
    /// an idle device's memory). Default true; false runs every upgrade through the HTTP pipeline.
    /// </summary>
    public bool DirectUpgrade { get; set; } = true;

    /// <summary>Frames queued per API link before the link is closed with 1013. Default 65536.</summary>
    public int InternalQueueCapacity { get; set; } = 65_536;

    /// <summary>Bytes queued per API link before the link is closed with 1013 (whichever of this and the frame count comes first). Default 64 MiB.</summary>
    public long InternalQueueBytes { get; set; } = 64L << 20;

    /// <summary>Largest inbound internal-socket message in bytes; larger is closed with 1009. Default 1 MiB.</summary>
    public int MaxInternalFrameBytes { get; set; } = 1 << 20;

    /// <summary>Receipts per <c>receipts</c> frame at most. Default 256.</summary>
    public int ReceiptBatchSize { get; set; } = 256;

    /// <summary>
    /// Milliseconds receipts (and written records) may wait to fill a batch. Default 100: each batch is a link frame, a
    /// wake-up of the API and one statement of PostgreSQL's, planned afresh, paid per window whatever the rate; at
    /// 200 notifications a second 100 ms instead of 20 cut PostgreSQL's CPU per notification by a quarter and the API's
    /// by a tenth (docs/benchmarks.md, "The receipts' batch window"). A receipt reaches the database up to this much
    /// after its ack, with the ack's own time; the device's notification is not delayed.
    /// </summary>
    public int ReceiptFlushMilliseconds { get; set; } = 100;

    /// <summary>
    /// This broker's name in session lists, stats rows and the <c>node</c> label of <c>/metrics</c>; unique in a cluster.
    /// Default: host name and device port (<c>host:5080</c>); with port 0, host name and a random suffix.
    /// </summary>
    public string? NodeName { get; set; }

    internal TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);

    internal TimeSpan HeartbeatTimeout => TimeSpan.FromSeconds(HeartbeatTimeoutSeconds);

    internal TimeSpan CloseTimeout => TimeSpan.FromSeconds(CloseTimeoutSeconds);
}
