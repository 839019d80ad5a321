using System.Text.Json;
using System.Text.Json.Serialization;

namespace Situk.Contracts;

/// <summary>
/// The source-generated System.Text.Json context for every wire type: camelCase, enums as
/// camelCase strings, nulls omitted, the <c>type</c> discriminator accepted anywhere in an object.
/// Depth is capped at 32 so a deeply nested frame is refused early.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    AllowOutOfOrderMetadataProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    MaxDepth = 32)]
[JsonSerializable(typeof(DeviceFrame))]
[JsonSerializable(typeof(InternalFrame))]
[JsonSerializable(typeof(SessionInfo[]))]
[JsonSerializable(typeof(AdminPublishRequest))]
[JsonSerializable(typeof(SessionCount))]
[JsonSerializable(typeof(ClosedCount))]
[JsonSerializable(typeof(BrokerStats))]
[JsonSerializable(typeof(InboxPage))]
[JsonSerializable(typeof(InboxItem))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(SignInCredentials))]
[JsonSerializable(typeof(TokenRefreshRequest))]
[JsonSerializable(typeof(NotificationTimeline))]
public sealed partial class SitukJson : JsonSerializerContext;
