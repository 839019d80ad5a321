using Situk.Contracts;

namespace Situk.Broker.Fanout;

/// <summary>
/// The one seam between the broker's core (sessions, fan-out, receipts) and whatever carries its messages
/// up to the API instances, as centrifuge's <c>Broker</c> interface separates its node from the memory,
/// Redis and NATS engines. The internal socket (<see cref="Internal.LinkRegistry"/>) and NATS
/// (<see cref="Cluster.NatsUplink"/>) implement it; the registry, receive loops and batchers above it do not
/// know which is plugged in. Messages the other way (publishes, read syncs) arrive through each carrier's
/// own receiver and end in <see cref="Publisher"/>, so delivery to sessions exists once.
/// </summary>
internal interface IApiUplink
{
    /// <summary>
    /// A user's first session opened or last one closed. Called under that user's lock, so the calls for one
    /// user come in order; never waits. A carrier that routes by user (NATS) starts or stops listening to
    /// the user's messages here.
    /// </summary>
    void Presence(PresenceFrame frame);

    /// <summary>
    /// Hands a batch of <paramref name="count"/> device receipts over, waiting while the carrier cannot take
    /// more (the API is storing what it has): the wait slows the devices acking, never loses a receipt.
    /// </summary>
    ValueTask SendReceiptsAsync(ReceiptsFrame frame, int count, CancellationToken cancellationToken);

    /// <summary>Offers written records without waiting; false when nobody can take them (they are counted as dropped).</summary>
    bool TrySendWritten(WrittenFrame frame);

    /// <summary>A device read notifications; the API stores it and answers with a read sync. Never waits.</summary>
    void DeviceRead(DeviceReadFrame frame);
}
