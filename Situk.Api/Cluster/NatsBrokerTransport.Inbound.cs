using System.Text.Json;
using NATS.Client.Core;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Nats;

namespace Situk.Api.Cluster;

internal sealed partial class NatsBrokerTransport
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await NatsConnectionSettings.ConnectAsync(_connection, error => LastError = error, _time, stoppingToken);
        LogConnected(_logger, NatsConnectionSettings.Redacted(_url));
        try
        {
            await Task.WhenAll(
                TakeReceiptsAsync(stoppingToken),
                TakeAsync(ClusterSubjects.Presence, OnPresence, stoppingToken),
                TakeAsync(ClusterSubjects.Reads, OnRead, stoppingToken),
                TakeAsync(ClusterSubjects.Written, OnWritten, stoppingToken),
                SendReadsAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: receipts not answered are sent again by their broker, to another instance.
        }
    }

    /// <summary>
    /// Receipt batches, one at a time: queued for the receipt writer and answered once stored. A batch that
    /// is not answered (this instance stopped, PostgreSQL away past the broker's timeout) is sent again by
    /// its broker; storing is idempotent, so a second copy changes nothing.
    /// </summary>
    private async Task TakeReceiptsAsync(CancellationToken ct)
    {
        await foreach (var message in _connection.SubscribeAsync<byte[]>(ClusterSubjects.Receipts, ClusterSubjects.ApiQueueGroup, cancellationToken: ct))
        {
            if (Parse(message.Data) is ReceiptsFrame { Items: { Length: > 0 } items })
            {
                var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await _inbound.Receipts.Writer.WriteAsync(new ReceiptBatch(items, stored), ct);
                await stored.Task.WaitAsync(ct);
            }

            // An empty or unreadable batch is answered too: sending it again would not make it readable.
            await message.ReplyAsync(Array.Empty<byte>(), cancellationToken: ct);
        }
    }

    private async Task TakeAsync(string subject, Action<InternalFrame> handle, CancellationToken ct)
    {
        await foreach (var message in _connection.SubscribeAsync<byte[]>(subject, ClusterSubjects.ApiQueueGroup, cancellationToken: ct))
        {
            if (Parse(message.Data) is { } frame)
            {
                handle(frame);
            }

            // A broker that asked (an "online" announcement) waits for one instance to have taken it.
            if (message.ReplyTo is not null)
            {
                await message.ReplyAsync(Array.Empty<byte>(), cancellationToken: ct);
            }
        }
    }

    /// <summary>
    /// One user's presence, or a broker's batch of users that came online (an <c>online</c> frame, as brokers
    /// announce after a connect storm). Either way the users join the re-send set, so a batch announced twice
    /// (a broker asking again after a lost answer) re-sends what is pending once more and changes nothing stored.
    /// </summary>
    private void OnPresence(InternalFrame frame)
    {
        if (frame is PresenceFrame { Online: true, UserId: { } userId })
        {
            _inbound.AddOnline([userId]);
        }
        else if (frame is OnlineUsersFrame { UserIds: { Length: > 0 } userIds })
        {
            _inbound.AddOnline(userIds.Where(id => id is { Length: > 0 }));
        }
    }

    private void OnRead(InternalFrame frame)
    {
        if (frame is DeviceReadFrame read)
        {
            _inbound.Reads.Writer.TryWrite(read);
        }
    }

    private void OnWritten(InternalFrame frame)
    {
        if (frame is WrittenFrame { Items: { Length: > 0 } written })
        {
            _inbound.Written.Offer(written);
        }
    }

    private async Task SendReadsAsync(CancellationToken ct)
    {
        await foreach (var (subject, headers, frame) in _reads.Reader.ReadAllAsync(ct))
        {
            try
            {
                await _connection.PublishAsync(subject, frame, headers, cancellationToken: ct);
            }
            catch (NatsException ex)
            {
                LogReadSyncLost(_logger, ex.Message);
            }
        }
    }

    private InternalFrame? Parse(byte[]? data)
    {
        if (data is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(data, SitukJson.Default.InternalFrame);
        }
        catch (JsonException ex)
        {
            LogBadMessage(_logger, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 4700, Level = LogLevel.Information, Message = "Cluster: connected to NATS at {Url}")]
    private static partial void LogConnected(ILogger logger, string url);

    [LoggerMessage(EventId = 4701, Level = LogLevel.Warning, Message = "Cluster: unreadable message from a broker ignored: {Reason}")]
    private static partial void LogBadMessage(ILogger logger, string reason);

    [LoggerMessage(EventId = 4702, Level = LogLevel.Warning, Message = "Cluster: a read sync was not sent: {Reason}")]
    private static partial void LogReadSyncLost(ILogger logger, string reason);
}
