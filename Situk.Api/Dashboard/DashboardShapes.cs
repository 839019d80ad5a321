namespace Situk.Api.Dashboard;

/// <summary>Delivery over time: one point per bucket of <see cref="BucketSeconds"/>, oldest first.</summary>
public sealed record DeliverySeries(int BucketSeconds, DeliveryPoint[] Points);

/// <summary>Notifications delivered in the bucket starting <see cref="At"/>, and their commit-to-ack delay.</summary>
public sealed record DeliveryPoint(DateTimeOffset At, long Delivered, double? P50Ms, double? P99Ms);

/// <summary>A recent notification with its delivery state, for the dashboard.</summary>
public sealed record RecentNotification(
    long Id,
    long UserId,
    string UserEmail,
    string Kind,
    string Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    string? DeliveredDeviceClass,
    DateTimeOffset? ReadAt,
    string EmailState);
