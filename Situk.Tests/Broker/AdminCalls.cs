using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker;

/// <summary>Management calls the broker tests make often.</summary>
internal static class AdminCalls
{
    public static async Task<int> PublishAsync(
        this BrokerFixture broker, Audience to, string title, CancellationToken cancellationToken, string body = "body", string kind = NotificationKinds.AdminMessage)
    {
        using var admin = broker.CreateAdminClient();
        var request = new AdminPublishRequest(to, new AdminNotification(kind, title, body));
        using var response = await admin.PostAsJsonAsync("admin/publish", request, SitukJson.Default.AdminPublishRequest, cancellationToken);
        response.EnsureSuccessStatusCode();
        var count = await response.Content.ReadFromJsonAsync(SitukJson.Default.SessionCount, cancellationToken);
        return count!.Sessions;
    }

    public static async Task<BrokerStats> StatsAsync(this BrokerFixture broker, CancellationToken cancellationToken)
    {
        using var admin = broker.CreateAdminClient();
        return (await admin.GetFromJsonAsync("admin/stats", SitukJson.Default.BrokerStats, cancellationToken))!;
    }

    public static async Task<SessionInfo[]> SessionsAsync(this BrokerFixture broker, string? userId, CancellationToken cancellationToken)
    {
        using var admin = broker.CreateAdminClient();
        var path = userId is null ? "admin/sessions" : "admin/sessions?userId=" + Uri.EscapeDataString(userId);
        return (await admin.GetFromJsonAsync(path, SitukJson.Default.SessionInfoArray, cancellationToken))!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the broker works asynchronously); the token bounds the wait.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
