using System.Text.Json.Serialization;

namespace Situk.Contracts;

/// <summary>
/// One text frame on the internal socket between an API instance and a broker
/// (<c>ws://127.0.0.1:5081/internal</c>). Full duplex and pipelined: the API sends publishes without
/// waiting; the broker answers each with <see cref="PublishedFrame"/> carrying the same <c>ref</c>,
/// and pushes receipts and presence whenever they happen.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(PublishFrame), "publish")]
[JsonDerivedType(typeof(PublishedFrame), "published")]
[JsonDerivedType(typeof(ReceiptsFrame), "receipts")]
[JsonDerivedType(typeof(WrittenFrame), "written")]
[JsonDerivedType(typeof(PresenceFrame), "presence")]
[JsonDerivedType(typeof(OnlineUsersFrame), "online")]
[JsonDerivedType(typeof(DeviceReadFrame), "device-read")]
[JsonDerivedType(typeof(ReadSyncFrame), "read-sync")]
[JsonDerivedType(typeof(ReceiptCreditFrame), "receipt-credit")]
public abstract record InternalFrame;

/// <summary>API → broker: push this notification to this audience. <see cref="Ref"/> is the API's correlation id.</summary>
public sealed record PublishFrame(long Ref, Audience To, PushNotification Notification) : InternalFrame;

/// <summary>Broker → API: the publish with this <see cref="Ref"/> was queued to <see cref="Sessions"/> sessions.</summary>
public sealed record PublishedFrame(long Ref, int Sessions) : InternalFrame;

/// <summary>Broker → API: device acks, batched.</summary>
public sealed record ReceiptsFrame(Receipt[] Items) : InternalFrame;

/// <summary>
/// One device ack: who acked which notification, from which session and device class, when; and when
/// the broker wrote that notification's frame to that session's socket (<see cref="WrittenAt"/>; null
/// when the session did not time it, e.g. past its bound of unacked notifications or an ack for an id
/// this session was never sent).
/// </summary>
public sealed record Receipt(long NotificationId, string UserId, string SessionId, string DeviceClass, DateTimeOffset AckedAt, DateTimeOffset? WrittenAt = null);

/// <summary>
/// Broker → API: notification frames the broker wrote to device sockets, batched, whether or not the
/// device ever acks them: the timeline's evidence that a frame reached a socket. Ephemeral publishes
/// (negative ids) are not reported.
/// </summary>
public sealed record WrittenFrame(Written[] Items) : InternalFrame;

/// <summary>
/// One write of a notification's frame to one session's socket: whose session, which device class,
/// and when the write completed (the broker's clock). A struct, so a batch of them is one array.
/// </summary>
public readonly record struct Written(long NotificationId, string UserId, string SessionId, string DeviceClass, DateTimeOffset WrittenAt);

/// <summary>
/// Broker → API: a user's first session opened (<see cref="Online"/> true) or last session closed
/// (false). <see cref="Sessions"/> is how many sessions the user holds now.
/// </summary>
public sealed record PresenceFrame(string UserId, bool Online, int Sessions) : InternalFrame;

/// <summary>
/// Broker → API, once when the link opens: every user online right now, so an API that was away
/// can push what is still pending for them.
/// </summary>
public sealed record OnlineUsersFrame(string[] UserIds) : InternalFrame;

/// <summary>Broker → API: a device sent <c>{"type":"read"}</c> for these ids.</summary>
public sealed record DeviceReadFrame(string UserId, string SessionId, long[] Ids, DateTimeOffset ReadAt) : InternalFrame;

/// <summary>
/// API → broker: tell the user's sessions these notifications were read, except the session that read
/// them (<see cref="ExceptSessionId"/>, null when read through REST). Not answered.
/// </summary>
public sealed record ReadSyncFrame(string UserId, long[] Ids, string? ExceptSessionId = null) : InternalFrame;

/// <summary>
/// API → broker: the API can take <see cref="Receipts"/> more receipts. A link starts with no receipt
/// credit; the API grants its whole window when the link opens and gives back what it has stored, so a
/// lagging database holds receipts in the broker instead of stalling the link. Not answered.
/// </summary>
public sealed record ReceiptCreditFrame(int Receipts) : InternalFrame;
