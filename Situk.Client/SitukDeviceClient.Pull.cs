using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Client;

public sealed partial class SitukDeviceClient
{
    // A pull notice (pull:true) carries neutral words only: the item itself comes from the REST API,
    // authenticated with the same token. Null when it cannot be fetched now: the notice is then neither
    // handed over nor acked, so the broker re-sends it and the next inbox sync brings it.
    private async Task<ReceivedNotification?> FetchPulledAsync(NotificationFrame notice, CancellationToken ct)
    {
        if (_options.ApiUrl is null)
        {
            return null;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.ApiUrl, $"api/v1/me/notifications/{notice.Id}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CurrentToken);
            using var response = await _http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var item = await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxItem, ct);
            return item is null ? null : ReceivedNotification.From(item) with { SentAt = notice.SentAt, Synced = false };
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
        {
            return null;
        }
    }
}
