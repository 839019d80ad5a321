using System.Text.Json;
using System.Text.Json.Serialization;

namespace Situk.Contracts;

/// <summary>
/// One text frame of the <c>situk.v1</c> device protocol: a JSON object with a <c>type</c>.
/// Serialise and deserialise through <see cref="DeviceFrame"/> so the discriminator is written and read.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(WelcomeFrame), "welcome")]
[JsonDerivedType(typeof(NotificationFrame), "notification")]
[JsonDerivedType(typeof(AckFrame), "ack")]
[JsonDerivedType(typeof(ReadFrame), "read")]
[JsonDerivedType(typeof(TokenFrame), "token")]
[JsonDerivedType(typeof(TokenOkFrame), "token-ok")]
[JsonDerivedType(typeof(TokenRefusedFrame), "token-refused")]
public abstract record DeviceFrame;

/// <summary>Server → device, once, first.</summary>
public sealed record WelcomeFrame(string SessionId, string UserId, int HeartbeatSeconds) : DeviceFrame;

/// <summary>
/// Server → device: one notification. <see cref="SentAt"/> is when the broker wrote it.
/// <see cref="Pull"/> true (omitted otherwise): a neutral notice of a sensitive kind — the title is
/// neutral, the body empty, <see cref="Kind"/> only the kind's family (<c>verdict</c>) and no data;
/// fetch the item from <c>GET /api/v1/me/notifications/{id}</c>.
/// </summary>
public sealed record NotificationFrame(
    long Id,
    string Kind,
    string Title,
    string Body,
    string? Link,
    JsonElement? Data,
    DateTimeOffset CreatedAt,
    DateTimeOffset SentAt,
    bool? Pull = null) : DeviceFrame;

/// <summary>
/// Device → server: the device has shown these notifications (the delivery receipt). <see cref="Delays"/>, when
/// present, has one entry per id: the whole milliseconds between the device receiving that id and sending this frame,
/// so a client that gathers the acks of a short window into one frame still reports when each one arrived. Absent:
/// every id was received as this frame was sent (one frame per ack, as older clients send).
/// </summary>
public sealed record AckFrame(long[] Ids, int[]? Delays = null) : DeviceFrame;

/// <summary>
/// Both ways. Device → server: the person read these notifications on this device. Server → device:
/// they were read elsewhere (another device, or the REST inbox), so update the unread count.
/// </summary>
public sealed record ReadFrame(long[] Ids) : DeviceFrame;

/// <summary>
/// Device → server: a fresh access token for this open socket (after <c>POST /api/v1/auth/refresh</c>). Checked
/// as at connect; the same user and role move the session's expiry to this token's, and its <c>sid</c> becomes the session's sign-in.
/// </summary>
public sealed record TokenFrame(string? Token) : DeviceFrame;

/// <summary>Server → device: the token frame was taken; the session now lasts until <see cref="ExpiresAt"/>.</summary>
public sealed record TokenOkFrame(DateTimeOffset ExpiresAt) : DeviceFrame;

/// <summary>
/// Server → device: the token frame's token is not valid (malformed, badly signed, expired, …, named in
/// <see cref="Reason"/>); the session keeps its old token and closes with 4001 when that expires.
/// </summary>
public sealed record TokenRefusedFrame(string Reason, DateTimeOffset ExpiresAt) : DeviceFrame;
