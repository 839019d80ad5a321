using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Situk.Broker.Auth;
using Situk.Broker.Limits;
using Situk.Broker.Options;
using Situk.Broker.Receipts;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Broker.Devices;

/// <summary>
/// <c>GET /ws</c>: admits a device (origin, token, then rate and capacity — all before the upgrade), then runs
/// its session: welcome first, the writer loop, and the receive loop that turns acks into receipts and
/// takes fresh tokens (token frames) that keep the session open past its first token's expiry.
/// The session is registered in <c>try</c> and removed in <c>finally</c>, so gauges and presence stay paired.
/// </summary>
internal sealed partial class DeviceEndpoint(
    IOptions<BrokerOptions> options,
    TokenValidator tokens,
    OriginPolicy origins,
    ConnectionGate gate,
    ClientAddresses addresses,
    SessionRegistry registry,
    ReceiptBatcher receipts,
    WrittenBatcher written,
    Fanout.IApiUplink links,
    BrokerMetrics metrics,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DeviceEndpoint> logger)
{
    private readonly BrokerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "Expected a WebSocket upgrade request.");
            return;
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "The broker is shutting down.");
            return;
        }

        // Token and origin first: a refused attempt spends only the address's refusal budget, never the
        // connection tokens the valid devices behind the same address (a lab's NAT) need.
        var (identity, refusal) = await CheckAsync(context);
        if (identity is null)
        {
            var (status, detail, reason) = gate.TryRefuse(remote) ? refusal : (StatusCodes.Status429TooManyRequests, "Too many refused connection attempts from this address.", refusal.Reason);
            await RefuseAsync(context, status, detail, reason);
            return;
        }

        if (!gate.TryAcceptRate(remote))
        {
            await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "Too many connection attempts from this address.");
            return;
        }

        if (!gate.TryEnter())
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "The broker is at its connection limit.");
            return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = _options.Heartbeat,
                KeepAliveTimeout = _options.HeartbeatTimeout,
            });
            metrics.Upgraded("http");
            await RunSessionAsync(socket, null, identity, context.Request.Query["device"], remote, context.RequestAborted);
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>The caller's identity, or why it is refused (403 for the origin, 401 for the token).</summary>
    private async Task<(DeviceIdentity? Identity, (int Status, string Detail, string? Reason) Refusal)> CheckAsync(HttpContext context)
    {
        if (!origins.Allows(context.Request.Headers.Origin.ToString(), context.Request.Headers.Host.ToString()))
        {
            return (null, (StatusCodes.Status403Forbidden, "This origin may not open device sockets.", null));
        }

        // The query token is for browsers, which cannot set headers on a WebSocket request.
        var token = BearerKey.FromHeader(context.Request) ?? context.Request.Query["access_token"].ToString();
        var (identity, problem) = await tokens.ValidateAsync(token);
        return (identity, (StatusCodes.Status401Unauthorized, "A valid, unexpired access token is required.", problem));
    }

    /// <summary>
    /// Runs an upgraded device's session until its socket ends, on either path to it (see <see cref="DirectUpgrade"/>).
    /// <paramref name="wire"/> is the socket under <paramref name="socket"/> when the broker owns it (direct path):
    /// frames are then written to it whole, at once when nothing is queued (<see cref="FrameWriter"/>).
    /// A session that nobody awaits (direct path) has an <paramref name="owner"/>, told when it ends and given what
    /// ended it unexpectedly; without one, that propagates to the caller (Kestrel, on the HTTP path).
    /// </summary>
    internal async Task RunSessionAsync(
        WebSocket socket, SocketWire? wire, DeviceIdentity identity, string? deviceClass, IPAddress? remote, CancellationToken aborted, ISessionOwner? owner = null)
    {
        Exception? failure = null;
        try
        {
            // One slot more than the capacity: the welcome frame never counts against a slow device.
            var sessionId = Guid.CreateVersion7().ToString("N");
            var sessionClass = DeviceClasses.Normalize(deviceClass);
            var times = new DeliveryTimes(time, written.For(sessionId, identity.UserId, sessionClass), metrics);
            using var writer = new FrameWriter(
                socket, _options.QueueCapacity + 1, time, _options.CloseTimeout, wire: wire, events: times);
            var session = new Session(
                sessionId,
                identity,
                sessionClass,
                remote,
                time.GetUtcNow(),
                writer,
                times);
            // Queued, never written at once (a payload, not a whole frame): the loop sends it once the session is
            // registered below, and anything published meanwhile queues behind it.
            writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(
                new WelcomeFrame(session.Id, session.UserId, _options.HeartbeatSeconds), SitukJson.Default.DeviceFrame));

            // 4001 when the token expires, unless a token frame moves it (see the receive loop): TokenExpirySweep.
            // Registered before the writer starts, so a device that has read its welcome is already listed,
            // reachable by publishes and kickable by an admin. The writer's loop runs only while frames wait
            // (the welcome first), so an idle session keeps no waiting writer.
            Register(session, remote);
            writer.Start(aborted);

            // The receive loop runs here, not in a method of its own: an idle device keeps every async method it
            // waits in alive (docs/broker.md, memory per device). It reads the device's frames until the socket ends
            // and says why it ended. A protocol breach asks the writer to close with its code; reading then goes on
            // (ignoring data) until the device answers the close or the writer's abort timer ends the socket. Each
            // ack, read or token frame takes a token from the session's InboundBudget; a session that empties it is
            // closed with 1008.
            CloseOutcome outcome;
            using var reader = new MessageReader(socket, _options.MaxFrameBytes);
            Inbound? inbound = null; // at the first text frame: a device that never sends carries none
            try
            {
                while (true)
                {
                    // The wait for the next frame is the socket's, awaited here: no method of the reader's waits with it.
                    var kind = await reader.ReadAsync(await reader.WaitAsync(aborted), aborted);
                    if (kind == InboundKind.Close)
                    {
                        outcome = session.Writer.RequestedClose
                            ?? new CloseOutcome((int?)socket.CloseStatus ?? 1005, "closed by device");
                        break;
                    }

                    if (session.Writer.IsClosing)
                    {
                        continue;
                    }

                    switch (kind)
                    {
                        case InboundKind.Binary:
                            session.Close(CloseCodes.PolicyViolation, "binary frame");
                            break;
                        case InboundKind.TooBig:
                            session.Close(CloseCodes.MessageTooBig, $"frame over {_options.MaxFrameBytes} bytes");
                            break;
                        default:
                            inbound ??= new Inbound(new InboundBudget(_options.InboundFramesPerSecond, _options.InboundFrameBurst, time));
                            await OnTextAsync(session, inbound, reader.Message, aborted);
                            break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                outcome = session.Writer.RequestedClose
                    ?? (session.MissedPong ? new CloseOutcome(CloseCodeNames.Abnormal, $"no pong within {_options.HeartbeatTimeoutSeconds} s") : Lost(e));
            }
            finally
            {
                registry.Remove(session);
            }

            // Answers the device's close (or ends the writer after a lost connection); no-op if we closed first.
            writer.RequestClose(CloseCodes.Normal, "closed by device");
            await writer.Completion;
            metrics.Closed(outcome.Code);
            DeviceEndpointLog.Closed(logger, session.Id, session.UserId, outcome.Code, outcome.Reason, time.GetUtcNow() - session.ConnectedAt, writer.FramesSent, session.Acks);
        }
        catch (Exception e) when (owner is not null)
        {
            failure = e;
        }
        finally
        {
            owner?.Ended(failure);
        }
    }

    private void Register(Session session, IPAddress? remote)
    {
        var (_, evicted) = registry.Add(session);
        DeviceEndpointLog.Opened(logger, session.Id, session.UserId, session.Role, session.DeviceClass, remote);
        if (evicted is not null)
        {
            DeviceEndpointLog.Replaced(logger, evicted.Id, evicted.UserId, session.Id, _options.MaxSessionsPerUser);
            evicted.Close(CloseCodes.Normal, "replaced");
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            session.Close(CloseCodes.GoingAway, "server shutting down");
        }
    }

    private async Task RefuseAsync(HttpContext context, int status, string detail, string? reason = null)
    {
        DeviceEndpointLog.Refused(logger, status, reason ?? detail, context.Connection.RemoteIpAddress);
        await Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
    }
}
