using System.Net.Http.Json;
using Situk.Contracts;

namespace Situk.Client;

/// <summary>
/// One device sign-in: the current access token, when it expires, and the refresh token that buys the next
/// pair (<c>POST /api/v1/auth/refresh</c>, each refresh token used once). Hand it to
/// <see cref="SitukClientOptions.SignIn"/> and the client keeps it fresh; keep it out of logs.
/// </summary>
public sealed class SitukSignIn
{
    private readonly Lock _gate = new();
    private Pair _pair;

    public SitukSignIn(string accessToken, DateTimeOffset expiresAt, string refreshToken, DateTimeOffset receivedAt)
    {
        _pair = new Pair(accessToken, expiresAt, refreshToken, receivedAt);
    }

    /// <summary>The device socket URL handed out with the token (empty when built by hand).</summary>
    public string BrokerUrl { get; private init; } = "";

    /// <summary>Every broker's device socket URL handed out with the token (<c>brokerUrls</c>); for <see cref="SitukClientOptions.BrokerUrls"/>.</summary>
    public IReadOnlyList<Uri> BrokerUrls { get; private init; } = [];

    public long UserId { get; private init; }

    public string AccessToken => Current.AccessToken;

    public DateTimeOffset ExpiresAt => Current.ExpiresAt;

    /// <summary>The refresh token not used yet. Presenting a used one again ends this sign-in on every device holding it.</summary>
    public string RefreshToken => Current.RefreshToken;

    /// <summary>When the current access token was received: its life is counted from here, on this device's clock.</summary>
    public DateTimeOffset ReceivedAt => Current.ReceivedAt;

    private Pair Current
    {
        get
        {
            lock (_gate)
            {
                return _pair;
            }
        }
    }

    /// <summary>Signs in with email and password (<c>POST /api/v1/auth/token</c>).</summary>
    /// <exception cref="HttpRequestException">Wrong credentials (401), throttled (429) or the API unreachable.</exception>
    public static async Task<SitukSignIn> SignInAsync(
        HttpClient http, Uri apiUrl, string email, string password, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(new Uri(apiUrl, "api/v1/auth/token"), new SignInCredentials(email, password), SitukJson.Default.SignInCredentials, cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(SitukJson.Default.TokenResponse, cancellationToken)
            ?? throw new HttpRequestException("The sign-in answer was empty.");
        return From(token, (time ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>From a sign-in or refresh answer that carries a refresh token.</summary>
    public static SitukSignIn From(TokenResponse token, DateTimeOffset receivedAt) =>
        new(token.AccessToken, token.ExpiresAt, token.RefreshToken ?? throw new ArgumentException("The answer has no refresh token.", nameof(token)), receivedAt)
        {
            BrokerUrl = token.BrokerUrl,
            // An API from before the list hands out brokerUrl alone.
            BrokerUrls = (token.BrokerUrls is { Count: > 0 } urls ? urls : [token.BrokerUrl]).Select(u => new Uri(u)).ToArray(),
            UserId = token.UserId,
        };

    /// <summary>The refresh token as it is now, to tell afterwards whether someone else refreshed meanwhile.</summary>
    internal string Snapshot() => RefreshToken;

    internal void Update(TokenResponse token, DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            _pair = new Pair(token.AccessToken, token.ExpiresAt, token.RefreshToken ?? _pair.RefreshToken, receivedAt);
        }
    }

    private sealed record Pair(string AccessToken, DateTimeOffset ExpiresAt, string RefreshToken, DateTimeOffset ReceivedAt);
}
