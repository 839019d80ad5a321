namespace Situk.Bench.Load.Cluster;

/// <summary>
/// How the bench publishes as the API would: a broadcast to the <c>asesi</c> role and a notification to one
/// user, each stamped with the send time in <c>createdAt</c> (the load agents time deliveries from it).
/// Alone: the broker's internal socket. In a cluster: NATS, with the API's subjects, headers and frame.
/// </summary>
internal interface IClusterPublisher : IAsyncDisposable
{
    Task BroadcastAsync(long id, int payloadBytes, CancellationToken cancellationToken);

    Task ToUserAsync(long id, string userId, CancellationToken cancellationToken);
}
