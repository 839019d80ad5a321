using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Nats;

namespace Situk.Api.Cluster;

/// <summary>
/// The relays' carrier when <c>Situk:Nats:Url</c> is set: NATS core between any number of API instances and
/// brokers. A notification is serialised once, as the device frame itself, and published to the subject of
/// each user it names (<c>situk.user.{id}</c>), of its role, or to <c>situk.all</c>, with its id and priority
/// in headers; only brokers holding a session of that user listen to a user's subject. A publish counts as
/// taken once the NATS server has it (a ping after it returned); the outbox row is then forwarded, and a
/// user with no session anywhere gets it from the presence re-send when a device connects. What brokers
/// send up (receipts, presence, reads, written records) arrives in the <c>situk-api</c> queue group, so
/// exactly one API instance handles each, and goes into <see cref="BrokerInbound"/> like the link's frames.
/// </summary>
internal sealed partial class NatsBrokerTransport : BackgroundService, IBrokerTransport
{
    private readonly RelayOptions _relay;
    private readonly BrokerInbound _inbound;
    private readonly TimeProvider _time;
    private readonly ILogger<NatsBrokerTransport> _logger;
    private readonly NatsConnection _connection;
    private readonly NatsRefusals _refusals;
    private readonly string _url;
    private volatile bool _stopped;

    // Read syncs on their way out; a full queue refuses more (the devices learn of the reads on their next sync).
    private readonly Channel<(string Subject, NatsHeaders Headers, byte[] Frame)> _reads =
        Channel.CreateBounded<(string, NatsHeaders, byte[])>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public NatsBrokerTransport(IOptions<NatsConnectionOptions> nats, IOptions<RelayOptions> relay, BrokerInbound inbound, TimeProvider time, ILogger<NatsBrokerTransport> logger)
    {
        _relay = relay.Value;
        _inbound = inbound;
        _time = time;
        _logger = logger;
        _url = nats.Value.Url!;
        _connection = new NatsConnection(NatsConnectionSettings.Options(
            nats.Value, nats.Value.Name ?? "situk-api-" + Environment.MachineName + "-" + Environment.ProcessId, ClusterSubjects.ApiInboxPrefix));
        _refusals = NatsConnectionSettings.ReportProblems(_connection, error => LastError = error);
    }

    public BrokerLinkState State => _stopped ? BrokerLinkState.Stopped
        : _connection.ConnectionState != NatsConnectionState.Open ? BrokerLinkState.Retrying
        : _refusals.Last is null ? BrokerLinkState.Connected : BrokerLinkState.Refused;

    public string? LastError { get; private set; }

    public async Task WaitUntilConnectedAsync(CancellationToken ct)
    {
        while (_connection.ConnectionState != NatsConnectionState.Open)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, ct);
        }
    }

    public async Task PublishAsync(Audience to, PushNotification notification, CancellationToken ct)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            throw new BrokerUnavailableException("Not connected to NATS.");
        }

        // Serialised once, here: every broker passes these bytes to its sessions as they are.
        var frame = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(notification.ToFrame(_time.GetUtcNow()), SitukJson.Default.DeviceFrame);
        var headers = new NatsHeaders
        {
            [ClusterHeaders.Kind] = ClusterHeaders.KindNotification,
            [ClusterHeaders.Id] = notification.Id.ToString(CultureInfo.InvariantCulture),
            [ClusterHeaders.Priority] = notification.Priority == Priority.High ? "high" : "normal",
        };
        using var timer = new CancellationTokenSource(_relay.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            foreach (var subject in Subjects(to))
            {
                await _connection.PublishAsync(subject, frame, headers, cancellationToken: linked.Token);
            }

            // The server answers a ping after everything sent before it: it has the publish.
            await _connection.PingAsync(linked.Token);
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new BrokerUnavailableException($"NATS did not take the publish within {_relay.PublishTimeout}.", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            // NATS.Net cancels the pings it still waits for when it drops a connection (a server found silent): the
            // publish may not have reached the server.
            throw new BrokerUnavailableException("NATS dropped the connection before it confirmed the publish.", ex);
        }
        catch (NatsException ex)
        {
            throw new BrokerUnavailableException("NATS refused the publish: " + ex.Message, ex);
        }
    }

    public bool TrySendReadSync(ReadSyncFrame frame)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            return false;
        }

        var headers = new NatsHeaders { [ClusterHeaders.Kind] = ClusterHeaders.KindRead };
        if (frame.ExceptSessionId is { Length: > 0 } except)
        {
            headers[ClusterHeaders.ExceptSession] = except;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new ReadFrame(frame.Ids), SitukJson.Default.DeviceFrame);
        return _reads.Writer.TryWrite((ClusterSubjects.User(frame.UserId), headers, bytes));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        await base.StopAsync(cancellationToken);
        await _connection.DisposeAsync();
    }

    private static IEnumerable<string> Subjects(Audience to) =>
        to.All ? [ClusterSubjects.All]
        : to.Role is { } role ? [ClusterSubjects.Role(role)]
        : (to.UserIds ?? []).Distinct(StringComparer.Ordinal).Select(ClusterSubjects.User);
}
