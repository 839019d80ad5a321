using System.Text.Json;

namespace Situk.Contracts;

/// <summary>One notification in the REST inbox (<c>GET /api/v1/me/notifications</c>).</summary>
public sealed record InboxItem(
    long Id,
    string Kind,
    string Title,
    string Body,
    string? Link,
    JsonElement? Data,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ReadAt);

/// <summary>A page of the inbox, oldest first; <see cref="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record InboxPage(InboxItem[] Items, long? Next);

/// <summary>What a client sends to <c>POST /api/v1/auth/token</c> (the API's own shape also validates it).</summary>
public sealed record SignInCredentials(string Email, string Password);

/// <summary>What a client sends to <c>POST /api/v1/auth/refresh</c>.</summary>
public sealed record TokenRefreshRequest(string RefreshToken);

/// <summary>
/// Answer of <c>POST /api/v1/auth/token</c> and <c>POST /api/v1/auth/refresh</c>: the access token opens both
/// the REST API and the device socket; the refresh token (used once, until <see cref="RefreshTokenExpiresAt"/>)
/// buys the next pair without the password. <see cref="BrokerUrls"/> lists every broker's device socket (pick
/// one at random, move to the next when it fails); <see cref="BrokerUrl"/> is its first, for older clients.
/// </summary>
public sealed record TokenResponse(
    string AccessToken,
    DateTimeOffset ExpiresAt,
    long UserId,
    string Role,
    string BrokerUrl,
    string? RefreshToken = null,
    DateTimeOffset? RefreshTokenExpiresAt = null,
    IReadOnlyList<string>? BrokerUrls = null);
