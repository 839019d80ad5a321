namespace Situk.Broker.Auth;

/// <summary>
/// Who a device socket belongs to, from its validated token. <see cref="SignInId"/> is the token's <c>sid</c>:
/// the device sign-in (refresh-token family) it was issued for, null for a token without one.
/// </summary>
internal sealed record DeviceIdentity(string UserId, string Role, DateTimeOffset ExpiresAt, string? SignInId = null);
