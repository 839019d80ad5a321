using System.Buffers;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Situk.Contracts;

namespace Situk.Client;

public sealed partial class SitukDeviceClient
{
    // One socket's life: the welcome, then frames until it closes. Returns whether it was welcomed and the close code.
    private async Task<(bool Welcomed, int? CloseCode)> RunSessionAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var welcomed = false;
        Task sync = Task.CompletedTask;
        Task acks = Task.CompletedTask;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                var message = await ReceiveMessageAsync(socket, buffer, ct);
                if (message is null)
                {
                    return (welcomed, (int?)socket.CloseStatus);
                }

                switch (JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame))
                {
                    case WelcomeFrame welcome:
                        welcomed = true;
                        SessionId = welcome.SessionId;
                        Connections++;
                        SetState(ClientState.Open, null);
                        var pending = Channel.CreateUnbounded<PendingAck>(new() { SingleReader = true });
                        Volatile.Write(ref _pendingAcks, pending);
                        acks = AckWindowAsync(socket, pending.Reader, session.Token);
                        // Sync beside the receive loop, so live frames keep flowing while the inbox pages arrive.
                        sync = SyncAsync(ct);
                        break;
                    case ReadFrame read:
                        Read?.Invoke(read.Ids);
                        break;
                    case NotificationFrame { Pull: true } notice:
                        if (!IsSeen(notice.Id) && await FetchPulledAsync(notice, ct) is { } pulled)
                        {
                            await DeliverAsync([pulled], alreadyDelivered: false, ct);
                        }
                        else if (IsSeen(notice.Id))
                        {
                            await DeliverAsync([ReceivedNotification.From(notice)], alreadyDelivered: false, ct); // re-acks the duplicate
                        }

                        break;
                    case NotificationFrame notification:
                        await DeliverAsync([ReceivedNotification.From(notification)], alreadyDelivered: false, ct);
                        break;
                }
            }
        }
        catch (WebSocketException) when (socket.CloseStatus is { } status)
        {
            return (welcomed, (int)status);
        }
        finally
        {
            Volatile.Write(ref _pendingAcks, null);
            await session.CancelAsync();
            await acks.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await sync.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private bool IsSeen(long id)
    {
        lock (_gate)
        {
            return _seen.Contains(id);
        }
    }

    // Hands new ids to the application and acks them; a duplicate is re-acked (its first ack may have been lost) and dropped.
    private async Task DeliverAsync(IReadOnlyList<ReceivedNotification> batch, bool alreadyDelivered, CancellationToken ct)
    {
        var toAck = new List<long>(batch.Count);
        foreach (var notification in batch)
        {
            bool isNew;
            lock (_gate)
            {
                isNew = _seen.Add(notification.Id);
                if (isNew && notification.Id > LastId)
                {
                    LastId = notification.Id;
                }
            }

            if (isNew)
            {
                _notifications.Writer.TryWrite(notification);
            }
            else
            {
                Interlocked.Increment(ref _duplicatesDropped);
            }

            if (notification.Id > 0 && (!isNew || !alreadyDelivered))
            {
                toAck.Add(notification.Id);
            }
        }

        if (_options.AutoAck && toAck.Count > 0)
        {
            await AutoAckAsync(toAck, ct);
        }
    }

    // Pages through the inbox after the last id seen; what the socket missed while it was away arrives here.
    private async Task SyncAsync(CancellationToken ct)
    {
        if (_options.ApiUrl is null)
        {
            return;
        }

        try
        {
            var after = LastId;
            for (var page = 0; page < 1000; page++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.ApiUrl, $"api/v1/me/notifications?after={after}&limit=200"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CurrentToken);
                using var response = await _http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return;
                }

                var body = await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxPage, ct);
                if (body is null || body.Items.Length == 0)
                {
                    Interlocked.Increment(ref _inboxSyncs);
                    return;
                }

                foreach (var group in body.Items.GroupBy(i => i.DeliveredAt is not null))
                {
                    await DeliverAsync(group.Select(ReceivedNotification.From).ToList(), alreadyDelivered: group.Key, ct);
                }

                if (body.Next is not { } next)
                {
                    Interlocked.Increment(ref _inboxSyncs);
                    return;
                }

                after = next;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
        {
            // The API is unreachable or the socket closed: the next (re)connect syncs again.
        }
    }
}
