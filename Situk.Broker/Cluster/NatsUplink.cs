using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Contracts;
using Situk.Nats;

namespace Situk.Broker.Cluster;

/// <summary>
/// The broker's carrier when <c>Situk:Nats:Url</c> is set: NATS core, in both directions.
/// Down: the broker listens to <c>situk.user.{id}</c> from its first session of that user until its last
/// closes (so a notification reaches only the brokers that hold its user), to the three role subjects and to
/// <c>situk.all</c>; each message goes to <see cref="Publisher"/> as the API serialised it.
/// Up: presence, reads and written records are published to the API queue group; receipts are NATS requests
/// to that group, each batch kept (<see cref="ReceiptOutbox"/>, bounded in bytes) until one API instance
/// answers that it stored it, and sent again with back-off until then.
/// </summary>
internal sealed partial class NatsUplink : BackgroundService, IApiUplink
{
    private static readonly string[] RoleNames = [Roles.Asesi, Roles.Asesor, Roles.Admin];

    private readonly NatsClusterOptions _options;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<NatsUplink> _logger;
    private readonly NatsConnection _connection;
    private readonly ReceiptOutbox _receipts;
    private readonly Lock _interestGate = new();
    private int _opened;

    // Users whose presence changed since the interest loop last looked: their latest state (true: online).
    // At most one entry per user, so it is bounded by the users the broker holds or just lost.
    private Dictionary<string, bool> _interestChanges = new(StringComparer.Ordinal);
    private readonly Channel<bool> _interestSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Presence, reads and written records on their way to NATS; a full queue refuses more (written records are counted as dropped).
    private readonly Channel<(string Subject, byte[] Frame)> _outgoing = Channel.CreateBounded<(string, byte[])>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public NatsUplink(IOptions<NatsClusterOptions> options, IServiceProvider services, ClusterCounters counters, TimeProvider time, ILogger<NatsUplink> logger)
    {
        _options = options.Value;
        _services = services;
        _time = time;
        _logger = logger;
        Counters = counters;
        _receipts = new ReceiptOutbox(_options.ReceiptBacklogBytes);
        _connection = new NatsConnection(NatsConnectionSettings.Options(
            _options, _options.Name ?? "situk-broker-" + Environment.MachineName + "-" + Environment.ProcessId, ClusterSubjects.BrokerInboxPrefix));

        Refusals = NatsConnectionSettings.ReportProblems(_connection, Problem);

        // Messages published while this broker was away from the NATS server are gone (NATS core keeps
        // nothing): once it is back, every user it holds is announced online again, and an API instance
        // re-sends what is still undelivered for them, as after an internal socket's "online" snapshot.
        _connection.ConnectionOpened += (_, _) =>
        {
            if (Interlocked.Exchange(ref _opened, 1) == 1)
            {
                foreach (var userId in Registry.OnlineUsers())
                {
                    Presence(new PresenceFrame(userId, Online: true, Sessions: 1));
                }
            }

            return ValueTask.CompletedTask;
        };
    }

    public ClusterCounters Counters { get; }

    // Looked up when first used: the registry itself announces presence through this uplink.
    private SessionRegistry Registry => _services.GetRequiredService<SessionRegistry>();

    private Publisher Publisher => _services.GetRequiredService<Publisher>();

    // Role and broadcast messages, delivered off the connection's reader (made on first use: the publisher is resolved lazily).
    private AudienceFanout Audiences => field ??= new AudienceFanout(Publisher, _logger);

    /// <summary>Bytes of receipts waiting for an API instance's answer.</summary>
    public long ReceiptBacklogBytes => _receipts.Bytes;

    // The users whose subject this broker listens to now; written by the interest loop only.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RoutedSubscription> _followed = new(StringComparer.Ordinal);

    /// <summary>Users this broker listens to on NATS now.</summary>
    public int FollowedUsers => _followed.Count;

    /// <summary>True once this broker listens to the user's subject (and has announced the user online).</summary>
    public bool Follows(string userId) => _followed.ContainsKey(userId);

    public void Presence(PresenceFrame frame)
    {
        lock (_interestGate)
        {
            _interestChanges[frame.UserId] = frame.Online;
        }

        _interestSignal.Writer.TryWrite(true);
    }

    public ValueTask SendReceiptsAsync(ReceiptsFrame frame, int count, CancellationToken cancellationToken) =>
        _receipts.AddAsync(Serialize(frame), cancellationToken);

    /// <summary>The connection to NATS is open (the broker's readiness, <c>/readyz</c>).</summary>
    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>Why the connection last closed or was refused, as the client or the server said it.</summary>
    public string? LastError { get; private set; }

    /// <summary>What the server refused this broker since the connection last opened (its NATS user lacks the broker's permissions).</summary>
    public NatsRefusals Refusals { get; }

    /// <summary>Why the connection is not open, kept for <c>/readyz</c> and logged.</summary>
    private void Problem(string error)
    {
        LastError = error;
        NatsUplinkLog.ConnectionProblem(_logger, error);
    }

    public bool TrySendWritten(WrittenFrame frame) =>
        _connection.ConnectionState == NatsConnectionState.Open && _outgoing.Writer.TryWrite((ClusterSubjects.Written, Serialize(frame)));

    public void DeviceRead(DeviceReadFrame frame) => _outgoing.Writer.TryWrite((ClusterSubjects.Reads, Serialize(frame)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await NatsConnectionSettings.ConnectAsync(_connection, Problem, _time, stoppingToken);
        NatsUplinkLog.Connected(_logger, NatsConnectionSettings.Redacted(_options.Url!));
        var audiences = new List<RoutedSubscription>();
        foreach (var role in RoleNames)
        {
            var audience = Audience.ForRole(role);
            audiences.Add(await SubscribeAsync(ClusterSubjects.Role(role), () => Registry.Resolve(audience), userId: null, stoppingToken));
        }

        audiences.Add(await SubscribeAsync(ClusterSubjects.All, () => Registry.All, userId: null, stoppingToken));
        try
        {
            await Task.WhenAll(
                Audiences.RunAsync(stoppingToken), FollowUsersAsync(stoppingToken), SendReceiptsLoopAsync(stoppingToken), SendOutgoingAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: receipts still held are re-sent by the API later (their notifications stay pending).
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _connection.DisposeAsync();
    }

    private async Task<RoutedSubscription> SubscribeAsync(string subject, Func<IEnumerable<Session>> sessions, string? userId, CancellationToken ct)
    {
        var subscription = new RoutedSubscription(_connection, subject, Publisher, sessions, userId, Counters, Audiences);
        await _connection.AddSubAsync(subscription, ct);
        return subscription;
    }

    private static byte[] Serialize(InternalFrame frame) => JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.InternalFrame);
}
