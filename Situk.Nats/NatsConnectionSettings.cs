using NATS.Client.Core;

namespace Situk.Nats;

/// <summary>
/// How every NATS connection of a broker or an API instance is opened. <c>Situk:Nats:Url</c>
/// may list several servers of one NATS cluster, comma-separated (<c>nats://a:4222,nats://b:4222,nats://c:4222</c>):
/// the first is tried first (randomisation off, so an operator chooses each process's home server and the load
/// spreads as configured), and the client fails over to the others by itself.
/// </summary>
public static class NatsConnectionSettings
{
    /// <summary>
    /// The options. After a lost server the client tries the next known server at once (the servers of the NATS
    /// cluster announce each other, the server just lost is tried last); only when an attempt fails does it
    /// wait 100 ms, doubling to at most 1 s, plus up to 200 ms of jitter (NATS.Net's defaults: 2 s, 5 s, 100 ms),
    /// so a killed server costs well under a second of reconnect. A frozen server answers no PING: one every
    /// 2 s (default 2 min), and after 2 unanswered (the default) the third tick drops it, 4–6 s after the freeze.
    /// A connect waits 2 s for the server's INFO (the default), which bounds the time lost on a frozen server.
    /// </summary>
    /// <remarks>
    /// With the sign-in and TLS of <paramref name="options"/> (<see cref="NatsConnectionOptions"/>), and replies to requests
    /// under <paramref name="inboxPrefix"/>, the role's own (<c>ClusterSubjects.BrokerInboxPrefix</c> or <c>ApiInboxPrefix</c>).
    /// </remarks>
    public static NatsOpts Options(NatsConnectionOptions options, string name, string inboxPrefix) => NatsOpts.Default with
    {
        InboxPrefix = inboxPrefix,
        Url = options.Url ?? throw new ArgumentException("Situk:Nats:Url is not set.", nameof(options)),
        AuthOpts = NatsAuthOpts.Default with
        {
            Username = options.User,
            Password = options.Password,
            Token = options.Token,
            NKeyFile = options.NKeyFile,
            CredsFile = options.CredsFile,
        },
        TlsOpts = NatsTlsOpts.Default with
        {
            CaFile = options.TlsCaFile,
            CertFile = options.TlsCertFile,
            KeyFile = options.TlsKeyFile,
            Mode = options.TlsRequired ? TlsMode.Require : TlsMode.Auto,
        },
        Name = name,
        NoRandomize = true,
        // The first connect is retried by ConnectAsync below, which a stopping host can end; the client's own retry cannot be.
        RetryOnInitialConnect = false,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
        ReconnectWaitMax = TimeSpan.FromSeconds(1),
        ReconnectJitter = TimeSpan.FromMilliseconds(200),
        // A refused sign-in is retried like any other failure instead of closing the connection for good after two:
        // the server's users may be changing (a password rotated there first), and the process stays up, not ready, saying why.
        IgnoreAuthErrorAbort = true,
        PingInterval = TimeSpan.FromSeconds(2),
        MaxPingOut = 2,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>
    /// Hands <paramref name="report"/> every reason the connection gives for not being open: a closed connection, a server's
    /// <c>-ERR</c> (a wrong password, token or certificate among them), a failed reconnect. At most about once a second
    /// while it stays down (the reconnect back-off). Returns the server's refusals of the connection's own traffic, which
    /// leave it open (<see cref="NatsRefusals"/>).
    /// </summary>
    public static NatsRefusals ReportProblems(NatsConnection connection, Action<string> report)
    {
        var refusals = new NatsRefusals();
        // NATS.Net's message for these two is the server's URL alone; say what happened to it.
        connection.ConnectionDisconnected += (_, args) =>
        {
            report("disconnected from " + Redacted(args.Message));
            return ValueTask.CompletedTask;
        };
        connection.ServerError += (_, args) =>
        {
            refusals.Heard(args.Error);
            report(args.Error);
            return ValueTask.CompletedTask;
        };
        connection.ReconnectFailed += (_, args) =>
        {
            report("could not reconnect to " + Redacted(args.Message));
            return ValueTask.CompletedTask;
        };
        connection.ConnectionOpened += (_, _) =>
        {
            refusals.Clear();
            return ValueTask.CompletedTask;
        };
        return refusals;
    }

    /// <summary>
    /// Opens <paramref name="connection"/>, trying again until it opens or <paramref name="stoppingToken"/> ends (each try
    /// bounded by the 2 s connect timeout), so a process started before its NATS server, or refused by it (wrong password,
    /// no client certificate), keeps trying and still stops at once when asked.
    /// Each failure goes to <paramref name="failed"/>; the pause doubles from 100 ms to 1 s, as for a reconnect.
    /// </summary>
    public static async Task ConnectAsync(NatsConnection connection, Action<string> failed, TimeProvider time, CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await connection.ConnectAsync();
                return;
            }
            catch (Exception e) when (e is NatsException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or IOException
                && !stoppingToken.IsCancellationRequested)
            {
                failed(e.InnerException is { } inner ? e.Message + ": " + inner.Message : e.Message);
            }

            await Task.Delay(pause, time, stoppingToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
        }
    }

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
