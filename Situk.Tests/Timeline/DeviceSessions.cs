using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

/// <summary>Device sockets of one user with their session ids, and notifications sent to that user, for the delivery-record tests.</summary>
public static class DeviceSessions
{
    /// <summary>Opens a device socket with a token the API issued; returns it with the session id from its welcome.</summary>
    public static async Task<(ClientWebSocket Socket, string SessionId)> ConnectAsync(SystemFixture system, TestUser user, string deviceClass, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + system.Api.IssueToken(user.Id, user.Role));
        await socket.ConnectAsync(new Uri(system.Broker.DeviceUri + "?device=" + deviceClass), ct);
        var welcome = await socket.ReceiveWelcomeAsync(ct);
        return (socket, welcome.SessionId);
    }

    /// <summary>Closes from the device side and waits for the broker's answer, so the session is gone.</summary>
    public static async Task CloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using (socket)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
            await socket.ReceiveCloseAsync(ct);
        }
    }

    /// <summary>A durable notification from an admin to <paramref name="user"/>; returns its id.</summary>
    public static async Task<long> SendAsync(SystemFixture system, TestUser user, string title, CancellationToken ct)
    {
        using var sent = await system.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { user.Id } }, title, body = "Lihat jadwal." }, ct);
        sent.EnsureSuccessStatusCode();
        return await system.Api.ScalarAsync<long>("SELECT max(id) FROM notifications WHERE user_id = @id", ("id", user.Id));
    }

    /// <summary>The next notification frame, skipping read-sync frames.</summary>
    public static async Task<NotificationFrame> ReceiveNotificationAsync(WebSocket socket, CancellationToken ct)
    {
        while (true)
        {
            if (await socket.ReceiveDeviceFrameAsync(ct) is NotificationFrame frame)
            {
                return frame;
            }
        }
    }

    /// <summary>Polls until <paramref name="countSql"/> (with <c>@id</c>) counts at least <paramref name="atLeast"/> rows.</summary>
    public static async Task WaitForCountAsync(SystemFixture system, string countSql, long id, long atLeast, CancellationToken ct)
    {
        while (await system.Api.ScalarAsync<long>(countSql, ("id", id)) < atLeast)
        {
            await Task.Delay(50, ct);
        }
    }
}
