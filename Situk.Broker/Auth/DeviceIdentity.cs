namespace Situk.Broker.Auth;

/// <summary>Who a device socket belongs to, from its validated token.</summary>
internal sealed record DeviceIdentity(string UserId, string Role, DateTimeOffset ExpiresAt);
