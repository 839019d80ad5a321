using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Situk.Bench.Baseline;

/// <summary>
/// The second baseline of the load command: the smallest honest ASP.NET Core app that broadcasts bytes over
/// raw WebSockets, run as a child process like the broker. <c>Situk.Bench baseline-kestrel --url http://127.0.0.1:P</c>.
/// <list type="bullet">
/// <item><c>GET /ws?user=U</c>: a device socket (<c>UseWebSockets</c> + <c>AcceptWebSocketAsync</c>), kept in a concurrent
/// set by user; every message it sends (an ack) is read and counted, so acking runs cost it a receive as they cost Situk.</item>
/// <item><c>GET /ws?publisher=1</c>: the publisher; every message it sends goes to every device as is (<c>SendAsync</c> in a loop).</item>
/// <item><c>POST /publish?user=U</c>: the body's bytes to that user's sockets; answers <c>{"sessions":n}</c>.</item>
/// </list>
/// No authentication, no validation, no queue per socket, no metrics: what Kestrel and <c>System.Net.WebSockets</c> cost alone.
/// </summary>
public static class KestrelBaseline
{
    private static long s_acks;

    public static long Acks => Interlocked.Read(ref s_acks);

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args is ["--url", var u, ..] ? u : "http://127.0.0.1:5091";
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);

        var app = builder.Build();
        var connections = new RawConnections();
        app.UseWebSockets();
        app.MapGet("/healthz", () => "ok");
        app.Map("/ws", context => AcceptAsync(context, connections));
        app.MapPost("/publish", (HttpContext context, string user) => PublishAsync(context, connections, user));
        await app.RunAsync();
        return 0;
    }

    private static async Task AcceptAsync(HttpContext context, RawConnections connections)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var publisher = context.Request.Query.ContainsKey("publisher");
        var user = context.Request.Query["user"].ToString();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new RawConnection(user, socket);
        if (!publisher)
        {
            connections.Add(connection);
        }

        try
        {
            await ReceiveAsync(connection, publisher ? connections : null, context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // The peer went away.
        }
        finally
        {
            connections.Remove(connection);
        }
    }

    /// <summary>A device's messages are acks, counted; the publisher's are broadcasts, sent on to every device.</summary>
    private static async Task ReceiveAsync(RawConnection connection, RawConnections? broadcastTo, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            ValueWebSocketReceiveResult result;
            buffer.ResetWrittenCount();
            do
            {
                result = await connection.Socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
                buffer.Advance(result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (broadcastTo is null)
            {
                Interlocked.Increment(ref s_acks);
            }
            else
            {
                await broadcastTo.BroadcastAsync(buffer.WrittenMemory.ToArray(), cancellationToken);
            }
        }
    }

    private static async Task PublishAsync(HttpContext context, RawConnections connections, string user)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var sessions = await connections.SendToUserAsync(user, body.ToArray(), context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"sessions\":" + sessions.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}", context.RequestAborted);
    }
}
