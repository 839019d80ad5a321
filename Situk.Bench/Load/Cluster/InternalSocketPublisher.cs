using System.Text.Json;
using Situk.Bench.Load.Targets;
using Situk.Contracts;

namespace Situk.Bench.Load.Cluster;

/// <summary>The single broker's internal socket (<see cref="PublishLink"/>), as the API sends without NATS.</summary>
internal sealed class InternalSocketPublisher(PublishLink link) : IClusterPublisher
{
    public Task BroadcastAsync(long id, int payloadBytes, CancellationToken cancellationToken) =>
        link.SendAsync(id, payloadBytes, cancellationToken);

    public Task ToUserAsync(long id, string userId, CancellationToken cancellationToken)
    {
        var frame = new PublishFrame(id, Audience.Users(userId), OneToOne.Notification(id));
        return link.SendFrameAsync(JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(frame, SitukJson.Default.InternalFrame), cancellationToken);
    }

    public ValueTask DisposeAsync() => link.DisposeAsync();
}

/// <summary>The one-to-one notification both publishers send: the e2e command's text, stamped now.</summary>
internal static class OneToOne
{
    public static PushNotification Notification(long id) =>
        new(id, NotificationKinds.AdminMessage, "Pengumuman", "Jadwal uji kompetensi diperbarui.", null, null, DateTimeOffset.UtcNow);
}
