using System.Net.WebSockets;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Devices;

internal sealed partial class DeviceEndpoint
{
    /// <summary>
    /// Reads the device's frames until the socket ends and says why it ended. A protocol breach asks the
    /// writer to close with its code; reading then goes on (ignoring data) until the device answers the
    /// close or the writer's abort timer ends the socket.
    /// </summary>
    private async Task<CloseOutcome> ReceiveAsync(Session session, WebSocket socket, CancellationToken cancellationToken)
    {
        using var reader = new MessageReader(socket, _options.MaxFrameBytes);
        try
        {
            while (true)
            {
                var kind = await reader.ReadAsync(cancellationToken);
                if (kind == InboundKind.Close)
                {
                    return session.Writer.RequestedClose
                        ?? new CloseOutcome((int?)socket.CloseStatus ?? 1005, "closed by device");
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
                        OnText(session, reader.Message.Span);
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return session.Writer.RequestedClose ?? Lost(e);
        }
    }

    private void OnText(Session session, ReadOnlySpan<byte> message)
    {
        var (frame, code, reason) = InboundFrame.Parse(message, _options.MaxAckIds);
        switch (frame)
        {
            case AckFrame ack:
                OnAck(session, ack.Ids);
                break;
            case ReadFrame read:
                // Read on this device: the API stores it and tells the user's other sessions.
                links.Broadcast(new DeviceReadFrame(session.UserId, session.Id, read.Ids, time.GetUtcNow()));
                break;
            default:
                session.Close(code, reason);
                break;
        }
    }

    private void OnAck(Session session, long[] ids)
    {
        var now = time.GetUtcNow();
        foreach (var id in ids)
        {
            var times = session.Acked(id);
            if (times is { } timed)
            {
                metrics.PublishToAck(time.GetElapsedTime(timed.QueuedAt));
            }

            receipts.Add(new Receipt(id, session.UserId, session.Id, session.DeviceClass, now, times?.WrittenAt));
        }

        metrics.Acked(ids.Length);
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
