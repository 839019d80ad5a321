using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

internal sealed partial class NatsUplink
{
    /// <summary>Hands receipt batches to the API queue group one at a time, oldest first, until one instance answers.</summary>
    private async Task SendReceiptsLoopAsync(CancellationToken ct)
    {
        var replyOpts = new NatsSubOpts { Timeout = _options.RequestTimeout };
        while (true)
        {
            var batch = await _receipts.PeekAsync(ct);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _connection.RequestAsync<byte[], byte[]>(ClusterSubjects.Receipts, batch, replyOpts: replyOpts, cancellationToken: ct);
                    _receipts.Remove();
                    break;
                }
                catch (Exception e) when (e is NatsException or TimeoutException && !ct.IsCancellationRequested)
                {
                    var delay = Backoff(attempt);
                    NatsUplinkLog.ReceiptsRetry(_logger, batch.Length, attempt, delay, e.Message);
                    await Task.Delay(delay, _time, ct);
                }
            }
        }
    }

    private async Task SendOutgoingAsync(CancellationToken ct)
    {
        await foreach (var (subject, frame) in _outgoing.Reader.ReadAllAsync(ct))
        {
            try
            {
                await _connection.PublishAsync(subject, frame, cancellationToken: ct);
            }
            catch (NatsException e)
            {
                NatsUplinkLog.PublishFailed(_logger, subject, e.Message);
            }
        }
    }

    /// <summary>Exponential from <c>RetryBaseDelay</c>, capped at <c>RetryMaxDelay</c>, with up to 20 % jitter.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = Math.Min(exponential, _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.2 * Random.Shared.NextDouble())));
    }
}
