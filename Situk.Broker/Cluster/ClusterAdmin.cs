using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Situk.Broker.Admin;
using Situk.Contracts;
using Situk.Nats;

namespace Situk.Broker.Cluster;

/// <summary>
/// Management across the cluster (<c>Situk:Nats:Url</c> set), on its own NATS connection so it never queues behind
/// notification traffic. Every broker answers <c>situk.admin.{op}</c> for its own sessions and announces itself on
/// <c>situk.admin.heartbeat</c> every <c>AdminHeartbeat</c> (and at once when it sees a broker it did not know).
/// Asking is a scatter-gather: the request goes out once with a fresh reply inbox, answers are collected until every
/// broker heard from within <c>AdminNodeTtl</c> has answered or <c>AdminTimeout</c> passes; the brokers still silent
/// are named missing. The asking broker answers for itself directly, so it is never missing from its own answer.
/// </summary>
internal sealed class ClusterAdmin : BackgroundService
{
    /// <summary>Brokers remembered at most; heartbeats from more are ignored (a real cluster has a handful).</summary>
    private const int MaxNodes = 1024;

    /// <summary>The NATS server's default <c>max_payload</c>, used until the server has said its own.</summary>
    private const long DefaultMaxPayload = 1024 * 1024;

    private readonly NatsClusterOptions _options;
    private readonly LocalAdmin _local;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterAdmin> _logger;
    private readonly NatsConnection _connection;
    private readonly string _self = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);

    public ClusterAdmin(IOptions<NatsClusterOptions> options, LocalAdmin local, TimeProvider time, ILogger<ClusterAdmin> logger)
    {
        _options = options.Value;
        _local = local;
        _time = time;
        _logger = logger;
        _connection = new NatsConnection(NatsConnectionSettings.Options(_options, "admin-" + local.Node, ClusterSubjects.BrokerInboxPrefix));
    }

    /// <summary>The other brokers heard from within <c>AdminNodeTtl</c>, by node name.</summary>
    public IReadOnlyCollection<string> KnownNodes
    {
        get
        {
            var since = _time.GetUtcNow() - _options.AdminNodeTtl;
            return _lastSeen.Where(n => n.Value >= since).Select(n => n.Key).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>This broker's answer and every other broker's that came before the deadline; the expected brokers that did not answer.</summary>
    public async Task<Gathered> AskAsync(string op, AdminQuery query, CancellationToken ct)
    {
        var expected = KnownNodes;
        var answers = new List<AdminAnswer> { _local.Answer(op, query) };
        var answered = new HashSet<string>(StringComparer.Ordinal) { _local.Node };
        try
        {
            using var deadline = new CancellationTokenSource(_options.AdminTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            try
            {
                if (_connection.ConnectionState != NatsConnectionState.Open)
                {
                    throw new NatsException("not connected to NATS");
                }

                var inbox = _connection.NewInbox();
                await using var replies = await _connection.SubscribeCoreAsync<byte[]>(inbox, cancellationToken: linked.Token);
                var headers = new NatsHeaders { [AdminOps.FromHeader] = _self };
                await _connection.PublishAsync(
                    AdminOps.Subject(op), JsonSerializer.SerializeToUtf8Bytes(query, AdminJson.Default.AdminQuery), headers, replyTo: inbox, cancellationToken: linked.Token);
                while (!expected.All(answered.Contains) && answered.Count < MaxNodes)
                {
                    var reply = await replies.Msgs.ReadAsync(linked.Token);
                    if (ReadAnswer(reply) is { } answer && answered.Add(answer.Node))
                    {
                        answers.Add(answer);
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The deadline: whoever has not answered is named missing.
            }
        }
        catch (NatsException e)
        {
            ClusterAdminLog.AskFailed(_logger, op, e.Message);
        }

        var missing = expected.Where(n => !answered.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            ClusterAdminLog.Missing(_logger, op, string.Join(", ", missing));
        }

        return new Gathered(answers, missing);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Its failures are the same as the uplink's, which logs them.
        await NatsConnectionSettings.ConnectAsync(_connection, _ => { }, _time, stoppingToken);
        await using var subscription = await _connection.SubscribeCoreAsync<byte[]>(AdminOps.Wildcard, cancellationToken: stoppingToken);
        ClusterAdminLog.Listening(_logger, _local.Node, NatsConnectionSettings.Redacted(_options.Url!));
        try
        {
            await Task.WhenAll(AnswerAsync(subscription, stoppingToken), HeartbeatAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync says goodbye once the heartbeats have stopped.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The heartbeats stop first, so no heartbeat can follow the goodbye on this connection and make the
        // others expect this broker again.
        await base.StopAsync(cancellationToken);
        await SayGoodbyeAsync(cancellationToken);
        await _connection.DisposeAsync();
    }

    /// <summary>
    /// Tells the other brokers this one is leaving, so their management answers stop naming it missing at once.
    /// Bounded by <c>AdminTimeout</c>; without NATS, or past it, the others forget it after <c>AdminNodeTtl</c> as
    /// after a crash.
    /// </summary>
    private async Task SayGoodbyeAsync(CancellationToken ct)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.AdminTimeout);
        try
        {
            var goodbye = JsonSerializer.SerializeToUtf8Bytes(new AdminHeartbeat(_local.Node), AdminJson.Default.AdminHeartbeat);
            await _connection.PublishAsync(AdminOps.GoodbyeSubject, goodbye, cancellationToken: deadline.Token);
            // A ping answered means the server has the goodbye before the connection closes.
            await _connection.PingAsync(deadline.Token);
            ClusterAdminLog.SaidGoodbye(_logger, _local.Node);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException)
        {
            ClusterAdminLog.GoodbyeFailed(_logger, e.Message);
        }
    }

    private async Task AnswerAsync(INatsSub<byte[]> subscription, CancellationToken ct)
    {
        await foreach (var msg in subscription.Msgs.ReadAllAsync(ct))
        {
            try
            {
                await HandleAsync(msg, ct);
            }
            catch (Exception e) when (e is NatsException or JsonException or ArgumentOutOfRangeException)
            {
                ClusterAdminLog.BadMessage(_logger, msg.Subject, e.Message);
            }
        }
    }

    private async Task HandleAsync(NatsMsg<byte[]> msg, CancellationToken ct)
    {
        if (msg.Subject == AdminOps.HeartbeatSubject)
        {
            if (Read(msg.Data, AdminJson.Default.AdminHeartbeat) is { Node: { Length: > 0 and <= 100 } node } && node != _local.Node && Seen(node))
            {
                // A broker new to this one may not know it either: answer at once rather than a heartbeat later.
                await PublishHeartbeatAsync(ct);
            }

            return;
        }

        if (msg.Subject == AdminOps.GoodbyeSubject)
        {
            if (Read(msg.Data, AdminJson.Default.AdminHeartbeat) is { Node: { Length: > 0 and <= 100 } leaving } && leaving != _local.Node
                && _lastSeen.TryRemove(leaving, out _))
            {
                ClusterAdminLog.Left(_logger, leaving);
            }

            return;
        }

        var op = msg.Subject["situk.admin.".Length..];
        if (msg.ReplyTo is null || !AdminOps.All.Contains(op)
            || (msg.Headers?.TryGetValue(AdminOps.FromHeader, out var from) == true && from == _self))
        {
            return;
        }

        var query = Read(msg.Data, AdminJson.Default.AdminQuery) ?? new AdminQuery();
        var answer = _local.Answer(op, query);
        await msg.ReplyAsync(AdminReplies.Fit(answer, _connection.ServerInfo?.MaxPayload ?? DefaultMaxPayload), cancellationToken: ct);
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.AdminHeartbeat, _time);
        do
        {
            await PublishHeartbeatAsync(ct);
            Forget();
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    private ValueTask PublishHeartbeatAsync(CancellationToken ct) =>
        _connection.PublishAsync(AdminOps.HeartbeatSubject, JsonSerializer.SerializeToUtf8Bytes(new AdminHeartbeat(_local.Node), AdminJson.Default.AdminHeartbeat), cancellationToken: ct);

    /// <summary>Records a heartbeat; true when the broker was not known (or had expired).</summary>
    private bool Seen(string node)
    {
        var now = _time.GetUtcNow();
        var known = _lastSeen.TryGetValue(node, out var last) && last >= now - _options.AdminNodeTtl;
        if (known || _lastSeen.Count < MaxNodes)
        {
            _lastSeen[node] = now;
        }

        if (!known)
        {
            ClusterAdminLog.Joined(_logger, node);
        }

        return !known;
    }

    /// <summary>Drops the brokers not heard from within <c>AdminNodeTtl</c>, so the map holds only live brokers.</summary>
    private void Forget()
    {
        var since = _time.GetUtcNow() - _options.AdminNodeTtl;
        foreach (var (node, last) in _lastSeen)
        {
            if (last < since)
            {
                _lastSeen.TryRemove(new KeyValuePair<string, DateTimeOffset>(node, last));
            }
        }
    }

    /// <summary>An answer, or null for one that is not JSON of an answer (logged, and its broker stays expected).</summary>
    private AdminAnswer? ReadAnswer(NatsMsg<byte[]> reply)
    {
        try
        {
            return Read(reply.Data, AdminJson.Default.AdminAnswer) is { Node.Length: > 0 } answer ? answer : null;
        }
        catch (JsonException e)
        {
            ClusterAdminLog.BadMessage(_logger, reply.Subject, e.Message);
            return null;
        }
    }

    private static T? Read<T>(byte[]? data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class =>
        data is { Length: > 0 } ? JsonSerializer.Deserialize(data, type) : null;
}
