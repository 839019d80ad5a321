using System.Globalization;
using System.Text.Json;
using NATS.Client.Core;
using Situk.Contracts;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// Publishes on NATS exactly what an API instance's <c>NatsBrokerTransport</c> publishes: the device frame,
/// serialised once, on <c>situk.role.asesi</c> or <c>situk.user.{id}</c>, with the kind, id and priority
/// headers. It does not wait for the server's ping after each publish (the API does, to mark the outbox
/// row): the delay measured runs from the send to the device either way.
/// </summary>
internal sealed class NatsPublisher : IClusterPublisher
{
    private readonly NatsConnection _connection;

    private NatsPublisher(NatsConnection connection) => _connection = connection;

    public static async Task<NatsPublisher> ConnectAsync(string url)
    {
        var connection = new NatsConnection(NatsOpts.Default with { Url = url, Name = "situk-bench-publisher" });
        await connection.ConnectAsync();
        return new NatsPublisher(connection);
    }

    public Task BroadcastAsync(long id, int payloadBytes, CancellationToken cancellationToken) =>
        PublishAsync(ClusterSubjects.Role(Roles.Asesi), new PushNotification(
            id, NotificationKinds.AdminMessage, "Pengumuman", new string('x', payloadBytes), null, null, DateTimeOffset.UtcNow), cancellationToken);

    public Task ToUserAsync(long id, string userId, CancellationToken cancellationToken) =>
        PublishAsync(ClusterSubjects.User(userId), OneToOne.Notification(id), cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task PublishAsync(string subject, PushNotification notification, CancellationToken cancellationToken)
    {
        var frame = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(notification.ToFrame(DateTimeOffset.UtcNow), SitukJson.Default.DeviceFrame);
        var headers = new NatsHeaders
        {
            [ClusterHeaders.Kind] = ClusterHeaders.KindNotification,
            [ClusterHeaders.Id] = notification.Id.ToString(CultureInfo.InvariantCulture),
            [ClusterHeaders.Priority] = "normal",
        };
        await _connection.PublishAsync(subject, frame, headers, cancellationToken: cancellationToken);
    }
}
