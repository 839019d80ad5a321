using System.Net.WebSockets;
using System.Text.Json;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Internal;

internal sealed partial class InternalEndpoint
{
    /// <summary>Reads <c>publish</c> frames until the link ends; anything else closes the link with 1008.</summary>
    private async Task<CloseOutcome> ReceiveAsync(InternalLink link, WebSocket socket, CancellationToken cancellationToken)
    {
        using var reader = new MessageReader(socket, _options.MaxInternalFrameBytes);
        try
        {
            while (true)
            {
                var kind = await reader.ReadAsync(cancellationToken);
                if (kind == InboundKind.Close)
                {
                    return link.Writer.RequestedClose ?? new CloseOutcome((int?)socket.CloseStatus ?? 1005, "closed by api");
                }

                if (link.Writer.IsClosing)
                {
                    continue;
                }

                switch (kind)
                {
                    case InboundKind.Binary:
                        link.Writer.RequestClose(CloseCodes.PolicyViolation, "binary frame");
                        break;
                    case InboundKind.TooBig:
                        link.Writer.RequestClose(CloseCodes.MessageTooBig, $"frame over {_options.MaxInternalFrameBytes} bytes");
                        break;
                    default:
                        OnText(link, reader.Message.Span);
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return link.Writer.RequestedClose ?? new CloseOutcome(CloseCodeNames.Abnormal, "connection lost: " + e.Message);
        }
    }

    private void OnText(InternalLink link, ReadOnlySpan<byte> message)
    {
        InternalFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(message, SitukJson.Default.InternalFrame);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            link.Writer.RequestClose(CloseCodes.PolicyViolation, "malformed frame");
            return;
        }

        if (frame is ReceiptCreditFrame credit)
        {
            if (credit.Receipts < 1)
            {
                link.Writer.RequestClose(CloseCodes.PolicyViolation, "receipt credit must be positive");
                return;
            }

            link.GrantReceipts(credit.Receipts);
            links.CreditGranted();
            return;
        }

        if (frame is ReadSyncFrame readSync)
        {
            if (readSync.UserId is not null && readSync.Ids is { Length: > 0 })
            {
                publisher.SyncRead(readSync.UserId, readSync.Ids, readSync.ExceptSessionId);
            }

            return;
        }

        if (frame is not PublishFrame publish)
        {
            link.Writer.RequestClose(CloseCodes.PolicyViolation, "only publish, read-sync and receipt-credit frames are accepted");
            return;
        }

        var problem = publish.To is null ? "to is required" : publish.To.Problem();
        if (publish.Notification is null)
        {
            problem = "notification is required";
        }

        var sessions = 0;
        if (problem is null)
        {
            sessions = publisher.Publish(publish.To!, publish.Notification!);
        }
        else
        {
            InternalEndpointLog.BadPublish(logger, link.Id, publish.Ref, problem);
        }

        link.Send(LinkRegistry.Serialize(new PublishedFrame(publish.Ref, sessions)));
    }
}
