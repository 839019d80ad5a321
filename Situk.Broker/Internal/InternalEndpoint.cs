using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Situk.Broker.Auth;
using Situk.Broker.Options;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;

namespace Situk.Broker.Internal;

/// <summary>
/// <c>GET /internal</c>: an API instance's link. After the key check and the upgrade the broker sends the
/// <c>online</c> snapshot, then answers every <c>publish</c> with <c>published</c> (pipelined: the API
/// never waits for one answer before sending the next) and pushes receipts and presence as they happen.
/// </summary>
internal sealed partial class InternalEndpoint(
    IOptions<BrokerOptions> options,
    LinkRegistry links,
    SessionRegistry registry,
    Fanout.Publisher publisher,
    TimeProvider time,
    ILogger<InternalEndpoint> logger)
{
    private readonly BrokerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "Expected a WebSocket upgrade request.");
            return;
        }

        if (!BearerKey.Matches(context.Request, _options.InternalKey))
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "The internal key is missing or wrong.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = _options.Heartbeat,
            KeepAliveTimeout = _options.HeartbeatTimeout,
        });
        using var writer = new FrameWriter(socket, _options.InternalQueueCapacity, time, _options.CloseTimeout, maxBytes: _options.InternalQueueBytes);
        var link = new InternalLink(Guid.CreateVersion7().ToString("N"), context.Connection.RemoteIpAddress?.ToString(), writer);

        // Registered before the snapshot is taken, so no presence change can fall between the two.
        links.Add(link);
        var online = registry.OnlineUsers();
        link.Sync(LinkRegistry.Serialize(new Situk.Contracts.OnlineUsersFrame(online)));
        InternalEndpointLog.Opened(logger, link.Id, context.Connection.RemoteIpAddress, online.Length);

        var writing = writer.RunAsync(context.RequestAborted);
        CloseOutcome outcome;
        try
        {
            outcome = await ReceiveAsync(link, socket, context.RequestAborted);
        }
        finally
        {
            links.Remove(link);
        }

        writer.RequestClose(Situk.Contracts.CloseCodes.Normal, "closed by api");
        await writing;
        InternalEndpointLog.Closed(logger, link.Id, outcome.Code, outcome.Reason, writer.FramesSent);
    }

    private async Task RefuseAsync(HttpContext context, int status, string detail)
    {
        InternalEndpointLog.Refused(logger, status, detail, context.Connection.RemoteIpAddress);
        await Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
    }
}
