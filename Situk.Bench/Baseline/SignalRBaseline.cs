using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Situk.Bench.Baseline;

/// <summary>
/// The side-by-side baseline of the load command: the smallest ASP.NET Core SignalR app that broadcasts a
/// notification, run as a child process like the broker. <c>Situk.Bench baseline-signalr --url http://127.0.0.1:P</c>.
/// Defaults are SignalR's own, except the two a load test must lift: the client timeout (devices only
/// answer, they never ping: 5 minutes instead of 30 s) and the largest inbound message (the publisher
/// sends up to 64 KiB bodies: 1 MiB instead of 32 KiB). <c>POST /publish?user=U</c> sends one notification to the
/// connections of user U (<c>Clients.User</c>; a connection's user is its <c>?user=</c>), as <c>/admin/publish</c> does on the broker.
/// </summary>
public static class SignalRBaseline
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args is ["--url", var u, ..] ? u : "http://127.0.0.1:5090";
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        builder.Services.AddSignalR(o =>
        {
            o.ClientTimeoutInterval = TimeSpan.FromMinutes(5);
            o.MaximumReceiveMessageSize = 1 << 20;
        });
        builder.Services.AddSingleton<IUserIdProvider, UserFromQuery>();

        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/healthz", () => "ok");
        app.MapHub<NotificationHub>("/hub");
        app.MapPost("/publish", async (string user, BaselineNotification notification, IHubContext<NotificationHub> hub, CancellationToken ct) =>
        {
            await hub.Clients.User(user).SendAsync("notification", notification with { SentAt = DateTimeOffset.UtcNow }, ct);
            return Results.Ok();
        });
        await app.RunAsync();
        return 0;
    }
}

/// <summary>A baseline connection's user is its <c>?user=</c> query value (devices connect with their load user).</summary>
internal sealed class UserFromQuery : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.GetHttpContext()?.Request.Query["user"].ToString() is { Length: > 0 } user ? user : null;
}
