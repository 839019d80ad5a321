using System.Buffers;
using NATS.Client.Core;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;

namespace Situk.Broker.Cluster;

/// <summary>
/// One NATS subscription of a broker: a user's subject while it holds a session of that user, a role subject,
/// or the broadcast subject. Each message is handed to <see cref="Publisher"/> where it arrives, in the
/// connection's reader, without a channel or a loop per subscription: delivery to sessions never waits (a
/// full session queue sheds or closes, as for the internal socket), and a broker may hold thousands of
/// these. The payload is copied once per message (the reader reuses its buffer); every session gets those bytes.
/// </summary>
internal sealed class RoutedSubscription : NatsSubBase
{
    private readonly Publisher _publisher;
    private readonly Func<IEnumerable<Session>> _sessions;
    private readonly string? _userId;
    private readonly ClusterCounters _counters;

    /// <param name="userId">The user of a user subject (read syncs are honoured on those only); null for a role or everyone.</param>
    public RoutedSubscription(NatsConnection connection, string subject, Publisher publisher, Func<IEnumerable<Session>> sessions, string? userId, ClusterCounters counters)
        : base(connection, connection.SubscriptionManager, subject, queueGroup: null, opts: null)
    {
        _publisher = publisher;
        _sessions = sessions;
        _userId = userId;
        _counters = counters;
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
            _publisher.Deliver(_sessions(), payload, headers.Id, headers.Priority);
        }

        return ValueTask.CompletedTask;
    }

    protected override void TryComplete()
    {
        // Nothing is buffered here: every message was delivered as it arrived.
    }
}
