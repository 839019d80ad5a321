using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Situk.Contracts;

namespace Situk.Tests.Support;

public sealed partial class BrokerFixture
{
    /// <summary>
    /// Opens a device socket for <paramref name="userId"/> with a fresh valid token in the
    /// <c>Authorization</c> header. The welcome frame is left unread (see <see cref="BrokerSockets.ReceiveWelcomeAsync"/>).
    /// </summary>
    public async Task<ClientWebSocket> ConnectDeviceAsync(
        string userId,
        string role = Roles.Asesi,
        string? device = null,
        CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Tokens.Issue(userId, role));
        var uri = device is null ? DeviceUri : new Uri(DeviceUri + "?device=" + Uri.EscapeDataString(device));
        await socket.ConnectAsync(uri, cancellationToken);
        return socket;
    }

    /// <summary>Opens a device socket and reads its welcome frame.</summary>
    public async Task<(ClientWebSocket Socket, WelcomeFrame Welcome)> ConnectDeviceWithWelcomeAsync(
        string userId,
        string role = Roles.Asesi,
        CancellationToken cancellationToken = default)
    {
        var socket = await ConnectDeviceAsync(userId, role, cancellationToken: cancellationToken);
        return (socket, await socket.ReceiveWelcomeAsync(cancellationToken));
    }

    /// <summary>
    /// Tries a device upgrade with whatever the test wants (no token, a bad one, an origin, an
    /// <c>X-Forwarded-For</c> as a proxy would send it) and returns the
    /// HTTP status the broker answered: 101 when it upgraded (the socket is then closed), else 401/403/429/503.
    /// </summary>
    public async Task<HttpStatusCode> TryConnectDeviceAsync(
        string? bearerToken = null,
        string? queryToken = null,
        string? origin = null,
        string? forwardedFor = null,
        CancellationToken cancellationToken = default)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (forwardedFor is not null)
        {
            socket.Options.SetRequestHeader("X-Forwarded-For", forwardedFor);
        }

        if (bearerToken is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearerToken);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        var uri = queryToken is null ? DeviceUri : new Uri(DeviceUri + "?access_token=" + Uri.EscapeDataString(queryToken));
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
            socket.Abort();
        }
        catch (WebSocketException)
        {
            // Refused before the upgrade: the status is what the test wants.
        }

        return socket.HttpStatusCode;
    }

    /// <summary>
    /// Opens the API's internal socket with <paramref name="key"/> (default: the right key) and, like the API,
    /// grants it <paramref name="receiptCredit"/> receipts (zero: none, so no receipts are sent). The
    /// <c>online</c> frame is left unread.
    /// </summary>
    public async Task<ClientWebSocket> ConnectInternalAsync(string? key = null, CancellationToken cancellationToken = default, int receiptCredit = 1_000_000)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + (key ?? InternalKey));
        await socket.ConnectAsync(InternalUri, cancellationToken);
        if (receiptCredit > 0)
        {
            await socket.SendAsync(
                System.Text.Json.JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(new ReceiptCreditFrame(receiptCredit), SitukJson.Default.InternalFrame),
                WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        return socket;
    }

    /// <summary>An HttpClient on the internal listener presenting <paramref name="key"/> (default: the admin key; empty: none).</summary>
    public HttpClient CreateAdminClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = InternalHttp, Timeout = TimeSpan.FromSeconds(30) };
        key ??= AdminKey;
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
