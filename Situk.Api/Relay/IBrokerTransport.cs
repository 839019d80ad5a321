using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// The one seam between the relays and whatever carries their messages to the brokers, as centrifuge's
/// <c>Broker</c> interface separates its node from the memory, Redis and NATS engines. Two carriers
/// implement it: the internal socket to one broker (<see cref="BrokerLink"/>, the default) and NATS core
/// (<see cref="Cluster.NatsBrokerTransport"/>, when <c>Situk:Nats:Url</c> is set). What the brokers send
/// back (receipts, presence, reads, written records) each carrier hands to <see cref="BrokerInbound"/>, the
/// other half of the seam, so the push relay, presence re-send, read sync and receipt writer exist once.
/// </summary>
internal interface IBrokerTransport
{
    /// <summary>Where the carrier stands, for <c>/readyz</c>.</summary>
    BrokerLinkState State { get; }

    /// <summary>Why the last connection attempt or connection failed (exception messages only, no secrets).</summary>
    string? LastError { get; }

    /// <summary>Completes when the carrier is (or becomes) connected.</summary>
    Task WaitUntilConnectedAsync(CancellationToken ct);

    /// <summary>
    /// Hands a notification to the brokers holding its audience and completes once the carrier has taken it
    /// (the broker answered, or the NATS server has it). Throws <see cref="BrokerUnavailableException"/>
    /// when it could not: the push relay then keeps the outbox row pending with back-off.
    /// </summary>
    Task PublishAsync(Audience to, PushNotification notification, CancellationToken ct);

    /// <summary>
    /// Queues a read sync for the user's sessions (except <paramref name="exceptSessionId"/>) without waiting.
    /// False when the carrier is down or its queue is full: the devices then learn of it on their next sync.
    /// </summary>
    bool TrySendReadSync(ReadSyncFrame frame);
}
