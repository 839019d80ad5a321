using NATS.Client.Core;

namespace Situk.Broker.Cluster;

/// <summary>
/// How every NATS connection of the broker is opened (the API opens its own the same way). <c>Situk:Nats:Url</c>
/// may list several servers of one NATS cluster, comma-separated (<c>nats://a:4222,nats://b:4222,nats://c:4222</c>):
/// the first is tried first (randomisation off, so an operator chooses each process's home server and the load
/// spreads as configured), and the client fails over to the others by itself.
/// </summary>
internal static class NatsConnectionSettings
{
    /// <summary>
    /// The options. After a lost server the client tries the next known server at once (the servers of the NATS
    /// cluster announce each other, the server just lost is tried last); only when an attempt fails does it
    /// wait 100 ms, doubling to at most 1 s, plus up to 200 ms of jitter (NATS.Net's defaults: 2 s, 5 s, 100 ms),
    /// so a killed server costs well under a second of reconnect. A frozen server answers no PING: one every
    /// 2 s (default 2 min), and after 2 unanswered (the default) the third tick drops it, 4–6 s after the freeze.
    /// A connect waits 2 s for the server's INFO (the default), which bounds the time lost on a frozen server.
    /// </summary>
    public static NatsOpts Options(string urls, string name) => NatsOpts.Default with
    {
        Url = urls,
        Name = name,
        NoRandomize = true,
        RetryOnInitialConnect = true,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
        ReconnectWaitMax = TimeSpan.FromSeconds(1),
        ReconnectJitter = TimeSpan.FromMilliseconds(200),
        PingInterval = TimeSpan.FromSeconds(2),
        MaxPingOut = 2,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>The URL list as it may be logged: a user, password or token before <c>@</c> becomes <c>***</c>.</summary>
    public static string Redacted(string urls) =>
        string.Join(',', urls.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(RedactedOne));

    private static string RedactedOne(string url)
    {
        var at = url.LastIndexOf('@');
        if (at < 0)
        {
            return url;
        }

        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var prefix = scheme >= 0 && scheme < at ? url[..(scheme + 3)] : "";
        return prefix + "***@" + url[(at + 1)..];
    }
}
