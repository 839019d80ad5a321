using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Api.Relay;

internal sealed partial class BrokerLink
{
    /// <summary>Runs one open socket until it closes or breaks, then fails what was waiting on it.</summary>
    private async Task RunConnectionAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        var connection = new LinkConnection(socket, _options.SendQueueCapacity);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);

        // The first frame out, queued before publishers can see the link: how many receipts this API can
        // take (none yet when what the last link sent still fills the window; the credit loop grants it as
        // that is stored).
        if (_inbound.ReceiptCredit.Open() is > 0 and var window)
        {
            connection.Outgoing.Writer.TryWrite(CreditFrame(window));
        }

        _current = connection;
        SetState(BrokerLinkState.Connected, null);
        LogLinkUp(_logger, _url);

        var reader = ReadLoopAsync(connection, cts.Token);
        var writer = WriteLoopAsync(connection, cts.Token);
        var credit = CreditLoopAsync(connection, cts.Token);
        var first = await Task.WhenAny(reader, writer, credit);
        var reason = first.Exception?.GetBaseException();

        _current = null;
        var message = reason?.Message ?? "closed by the broker";
        SetState(stoppingToken.IsCancellationRequested ? BrokerLinkState.Stopped : BrokerLinkState.Retrying, message);
        await cts.CancelAsync();
        connection.Close(new BrokerUnavailableException("The broker link closed: " + message, reason!));
        await Quietly(reader);
        await Quietly(writer);
        await Quietly(credit);
        socket.Abort();
        socket.Dispose();
        if (!stoppingToken.IsCancellationRequested)
        {
            LogLinkDown(_logger, message);
        }
    }

    private static async Task WriteLoopAsync(LinkConnection connection, CancellationToken ct)
    {
        await foreach (var frame in connection.Outgoing.Reader.ReadAllAsync(ct))
        {
            await connection.Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
    }

    /// <summary>Gives the broker back the receipt credit of what the receipt writer has stored.</summary>
    private async Task CreditLoopAsync(LinkConnection connection, CancellationToken ct)
    {
        var credit = _inbound.ReceiptCredit;
        while (true)
        {
            await credit.Returned.WaitAsync(Timeout.InfiniteTimeSpan, ct);
            ct.ThrowIfCancellationRequested();
            var owed = credit.TakeOwed();
            if (owed > 0)
            {
                await connection.Outgoing.Writer.WriteAsync(CreditFrame(owed), ct);
            }
        }
    }

    private static byte[] CreditFrame(int receipts) =>
        JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(new ReceiptCreditFrame(receipts), SitukJson.Default.InternalFrame);

    private async Task ReadLoopAsync(LinkConnection connection, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await connection.Socket.ReceiveAsync(buffer.GetMemory(4096), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                buffer.Advance(result.Count);
                if (buffer.WrittenCount > _options.MaxFrameBytes)
                {
                    throw new WebSocketException($"A broker frame exceeded {_options.MaxFrameBytes} bytes.");
                }
            }
            while (!result.EndOfMessage);

            InternalFrame? frame;
            try
            {
                frame = JsonSerializer.Deserialize(buffer.WrittenSpan, SitukJson.Default.InternalFrame);
            }
            catch (JsonException ex)
            {
                LogBadFrame(_logger, ex.Message);
                continue;
            }

            await DispatchAsync(connection, frame, ct);
        }
    }

    private async ValueTask DispatchAsync(LinkConnection connection, InternalFrame? frame, CancellationToken ct)
    {
        switch (frame)
        {
            case PublishedFrame published:
                connection.Complete(published.Ref, published.Sessions);
                break;
            case ReceiptsFrame { Items: { Length: > 0 } items }:
                // Within the credit this never waits, so published answers behind it are read at once.
                _inbound.ReceiptCredit.Arrived(items.Length);
                if (!_inbound.Receipts.Writer.TryWrite(new ReceiptBatch(items)))
                {
                    LogReceiptsOverCredit(_logger, items.Length);
                    await _inbound.Receipts.Writer.WriteAsync(new ReceiptBatch(items), ct);
                }

                break;
            case ReceiptsFrame:
                break;
            case WrittenFrame { Items: { Length: > 0 } written }:
                _inbound.Written.Offer(written);
                break;
            case WrittenFrame:
                break;
            case PresenceFrame { Online: true, UserId: { } userId }:
                _inbound.AddOnline([userId]);
                break;
            case PresenceFrame:
                break;
            case DeviceReadFrame read:
                _inbound.Reads.Writer.TryWrite(read);
                break;
            case OnlineUsersFrame online:
                var users = online.UserIds ?? [];
                LogOnlineUsers(_logger, users.Length);
                _inbound.AddOnline(users);
                break;
            default:
                LogBadFrame(_logger, "unexpected frame " + frame?.GetType().Name);
                break;
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Already reported as the reason the link closed.
        }
    }
}
