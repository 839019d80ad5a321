using System.Net.WebSockets;
using System.Text.Json;
using Situk.Broker.Receipts;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Devices;

internal sealed partial class DeviceEndpoint
{
    private ValueTask OnTextAsync(Session session, Inbound inbound, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var (frame, code, reason) = InboundFrame.Parse(message.Span, _options.MaxAckIds);
        if (frame is not null && !inbound.Budget.TryTake())
        {
            DeviceEndpointLog.InboundRate(logger, session.Id, session.UserId, _options.InboundFramesPerSecond, _options.InboundFrameBurst);
            session.Close(CloseCodes.PolicyViolation, "inbound frame rate");
            return ValueTask.CompletedTask;
        }

        switch (frame)
        {
            case AckFrame ack:
                return OnAckAsync(session, inbound, ack, cancellationToken);
            case ReadFrame read:
                // Read on this device: the API stores it and tells the user's other sessions.
                links.DeviceRead(new DeviceReadFrame(session.UserId, session.Id, read.Ids, time.GetUtcNow()));
                break;
            case TokenFrame renewal:
                return OnTokenAsync(session, renewal.Token);
            default:
                session.Close(code, reason);
                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// One receipt per id this session has not acked since it was last sent it, dated when the device received it: the
    /// frame's arrival less the id's reported delay, for an id this session timed (never before its write); for any other id
    /// the arrival itself, since the broker has nothing to bound a claimed delay by. Queuing may wait while the session holds
    /// its whole share of the receipt queue: the socket is then not read, which slows this device alone.
    /// </summary>
    private async ValueTask OnAckAsync(Session session, Inbound inbound, AckFrame ack, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        inbound.Share ??= new ReceiptShare(_options.ReceiptShare);
        var fresh = 0;
        for (var i = 0; i < ack.Ids.Length; i++)
        {
            var id = ack.Ids[i];
            if (!session.FirstAck(id, _options.AckMemory))
            {
                continue;
            }

            fresh++;
            var delay = ack.Delays is { } delays ? TimeSpan.FromMilliseconds(delays[i]) : TimeSpan.Zero;
            var times = session.Acked(id, now, delay);
            var receivedAt = times?.AckedAt ?? now;
            if (times is { } timed)
            {
                metrics.PublishToAck(time.GetElapsedTime(timed.QueuedAt) - (now - receivedAt));
            }

            await receipts.AddAsync(new Receipt(id, session.UserId, session.Id, session.DeviceClass, receivedAt, times?.WrittenAt), inbound.Share, cancellationToken);
        }

        metrics.Acked(fresh);
    }

    /// <summary>
    /// A fresh token for this socket, checked exactly as at connect. Valid and for the same user and role: the
    /// session now expires with it (token-ok). Valid for anyone else: closed with 1008, a socket never changes
    /// hands. Not valid: token-refused, and the session keeps its current token (and its 4001 deadline).
    /// </summary>
    private async ValueTask OnTokenAsync(Session session, string? token)
    {
        var (identity, problem) = await tokens.ValidateAsync(token);
        if (identity is null)
        {
            DeviceEndpointLog.TokenRefused(logger, session.Id, session.UserId, problem);
            session.Send(TextFrames.Frame(JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new TokenRefusedFrame(problem, session.ExpiresAt), SitukJson.Default.DeviceFrame)));
            return;
        }

        if (!session.Renew(identity))
        {
            DeviceEndpointLog.TokenForAnotherUser(logger, session.Id, session.UserId, identity.UserId);
            session.Close(CloseCodes.PolicyViolation, "token for another user");
            return;
        }

        session.Send(TextFrames.Frame(JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new TokenOkFrame(identity.ExpiresAt), SitukJson.Default.DeviceFrame)));
    }

    /// <summary>What one session's receive loop keeps about its inbound frames, from its first one; its receipt share only once it acks.</summary>
    private sealed class Inbound(InboundBudget budget)
    {
        public InboundBudget Budget { get; } = budget;

        public ReceiptShare? Share { get; set; }
    }

    /// <summary>What the socket layer says when a text frame is not UTF-8: its generic message for the error code.</summary>
    private static readonly string InvalidPayloadMessage = new WebSocketException(WebSocketError.Faulted).Message;

    /// <summary>The socket ended without a close handshake: reset, keepalive timeout or a frame the socket itself refused.</summary>
    private static CloseOutcome Lost(Exception e) => e switch
    {
        // The socket layer refused what the device sent, wrote its own close frame (1007 or 1002) and gave
        // up on the socket. An I/O failure carries an inner exception; a refusal does not. Invalid UTF-8 is
        // the one refusal that comes with the error code's default message, framing errors name themselves.
        WebSocketException { WebSocketErrorCode: WebSocketError.Faulted, InnerException: null } refused
            => refused.Message == InvalidPayloadMessage
                ? new CloseOutcome(CloseCodes.InvalidPayload, "invalid UTF-8")
                : new CloseOutcome(CloseCodes.ProtocolError, "protocol error: " + refused.Message),
        OperationCanceledException => new CloseOutcome(CloseCodeNames.Abnormal, "request aborted"),
        _ => new CloseOutcome(CloseCodeNames.Abnormal, "connection lost: " + e.Message),
    };
}
