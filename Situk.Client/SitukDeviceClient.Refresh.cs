using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Client;

public sealed partial class SitukDeviceClient
{
    // The refresh is due between these fractions of the access token's life (about 80%), spread so a lab
    // that signed in together does not refresh in the same second.
    private const double RefreshFrom = 0.75;
    private const double RefreshTo = 0.85;

    // A connect within this of the token's expiry refreshes first: the broker would close it with 4001 at once.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile bool _signedOut;

    private enum RefreshResult
    {
        Refreshed,
        SignedOut,
        Failed,
    }

    /// <summary>Raised after each successful refresh, with the new access token's expiry.</summary>
    public event Action<DateTimeOffset>? TokenRefreshed;

    /// <summary>The token for the next connect: the provider's, or the sign-in's (refreshed first when it is about to expire).</summary>
    private async ValueTask<string> TokenForConnectAsync(CancellationToken ct)
    {
        if (_options.SignIn is not { } signIn)
        {
            return await (_options.TokenProvider ?? throw new InvalidOperationException("Set TokenProvider or SignIn.")).Invoke(ct);
        }

        if (signIn.ExpiresAt - _time.GetUtcNow() < ExpiryMargin && await RefreshOnceAsync(signIn, ct) == RefreshResult.SignedOut)
        {
            throw new OperationCanceledException("Signed out.");
        }

        return signIn.AccessToken;
    }

    /// <summary>
    /// Keeps the sign-in fresh: at about 80% of each access token's life it refreshes, then hands the new token
    /// to the open socket (token frame), so the session outlives the token. A refused refresh (401) signs the
    /// client out; an unreachable API is retried with back-off (the socket closes with 4001 if that lasts past expiry,
    /// and the reconnect refreshes first).
    /// </summary>
    private async Task RefreshLoopAsync(SitukSignIn signIn, CancellationToken ct)
    {
        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var delay = failures == 0 ? UntilRefreshDue(signIn) : Backoff.Delay(failures, _options.MinBackoff, _options.MaxBackoff, _random);
                await Task.Delay(delay, _time, ct);
                switch (await RefreshOnceAsync(signIn, ct))
                {
                    case RefreshResult.SignedOut:
                        return;
                    case RefreshResult.Failed:
                        failures++;
                        break;
                    default:
                        failures = 0;
                        await SendTokenAsync(signIn.AccessToken, ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private TimeSpan UntilRefreshDue(SitukSignIn signIn)
    {
        var life = signIn.ExpiresAt - signIn.ReceivedAt;
        var due = signIn.ReceivedAt + (life * (RefreshFrom + (_random.NextDouble() * (RefreshTo - RefreshFrom))));
        var wait = due - _time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>
    /// One refresh, never two at once (a refresh token presented twice ends the sign-in): a caller that waited
    /// while another refreshed uses that result.
    /// </summary>
    private async Task<RefreshResult> RefreshOnceAsync(SitukSignIn signIn, CancellationToken ct)
    {
        var before = signIn.Snapshot();
        await _refreshLock.WaitAsync(ct);
        try
        {
            if (_signedOut)
            {
                return RefreshResult.SignedOut;
            }

            if (signIn.Snapshot() != before)
            {
                return RefreshResult.Refreshed;
            }

            var api = _options.ApiUrl ?? throw new InvalidOperationException("SignIn needs ApiUrl to refresh.");
            using var response = await _http.PostAsJsonAsync(new Uri(api, "api/v1/auth/refresh"), new TokenRefreshRequest(signIn.RefreshToken), SitukJson.Default.TokenRefreshRequest, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                await SignOutLocallyAsync();
                return RefreshResult.SignedOut;
            }

            if (!response.IsSuccessStatusCode)
            {
                return RefreshResult.Failed;
            }

            var token = await response.Content.ReadFromJsonAsync(SitukJson.Default.TokenResponse, ct);
            if (token is null)
            {
                return RefreshResult.Failed;
            }

            signIn.Update(token, _time.GetUtcNow());
            TokenRefreshed?.Invoke(token.ExpiresAt);
            return RefreshResult.Refreshed;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return RefreshResult.Failed;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Hands the open socket the new token; a socket that is not open gets it at its next connect.</summary>
    private async Task SendTokenAsync(string token, CancellationToken ct)
    {
        var socket = _socket;
        if (socket is null || socket.State != WebSocketState.Open)
        {
            return;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new TokenFrame(token), SitukJson.Default.DeviceFrame);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            // The socket is going; the reconnect uses the new token.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The sign-in is over (refused refresh, or the broker's 4004): stop connecting and say so.</summary>
    private async Task SignOutLocallyAsync()
    {
        _signedOut = true;
        if (_running is { } running)
        {
            await running.CancelAsync();
        }

        _socket?.Abort();
    }
}
