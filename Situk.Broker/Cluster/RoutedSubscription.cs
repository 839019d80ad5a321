using System.Buffers;
using NATS.Client.Core;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;

namespace Situk.Broker.Cluster;

/// <summary>
/// One NATS subscription of a broker: a user's subject while it holds a session of that user, a role subject,
/// or the broadcast subject. A user's message is handed to <see cref="Publisher"/> where it arrives, in the
/// connection's reader, without a channel or a loop per subscription: delivery to a user's few sessions never
/// waits (a full session queue sheds or closes, as for the internal socket), and a broker may hold thousands of
/// these. A role or broadcast message, which goes to every session of its audience, is queued to the one
/// <see cref="AudienceFanout"/> instead, so the reader goes on at once. The payload is copied once per message
/// (the reader reuses its buffer); every session gets those bytes.
/// </summary>
internal sealed class RoutedSubscription : NatsSubBase
{
    private readonly Publisher _publisher;
    private readonly Func<IEnumerable<Session>> _sessions;
    private readonly string? _userId;
    private readonly ClusterCounters _counters;
    private readonly AudienceFanout _audiences;

    /// <param name="userId">The user of a user subject (read syncs are honoured on those only); null for a role or everyone.</param>
    /// <param name="audiences">Where a role or broadcast message goes (not used for a user's subject).</param>
    public RoutedSubscription(
        NatsConnection connection, string subject, Publisher publisher, Func<IEnumerable<Session>> sessions, string? userId, ClusterCounters counters, AudienceFanout audiences)
        : base(connection, connection.SubscriptionManager, subject, queueGroup: null, opts: null)
    {
        _publisher = publisher;
        _sessions = sessions;
        _userId = userId;
        _counters = counters;
        _audiences = audiences;
    }

    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        _counters.Received(_userId is not null);
        var headers = ClusterHeaderValues.Parse(headersBuffer);
        var payload = payloadBuffer.ToArray();
        if (headers.IsRead)
        {
            if (_userId is not null)
            {
                _publisher.SyncRead(_userId, payload, headers.ExceptSession);
            }
        }
        else if (payload.Length > 0)
        {
            if (_userId is null)
            {
                return _audiences.EnqueueAsync(_sessions, payload, headers.Id, headers.Priority);
            }

            _publisher.Deliver(_sessions(), payload, headers.Id, headers.Priority);
        }

        return ValueTask.CompletedTask;
    }

    protected override void TryComplete()
    {
        // Nothing is buffered here: every message was delivered, or queued to the audience fan-out, as it arrived.
    }
}
