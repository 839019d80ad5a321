using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

internal sealed partial class NatsUplink
{
    /// <summary>
    /// Follows users as their presence changes: subscribes to a user's subject before announcing that the user
    /// came online (both on one connection, so the server has the subscription before any API instance can
    /// re-send), and unsubscribes before announcing that the last session closed.
    /// </summary>
    private async Task FollowUsersAsync(CancellationToken ct)
    {
        var followed = _followed;
        while (await _interestSignal.Reader.WaitToReadAsync(ct))
        {
            _interestSignal.Reader.TryRead(out _);
            Dictionary<string, bool> changes;
            lock (_interestGate)
            {
                changes = _interestChanges;
                _interestChanges = new(StringComparer.Ordinal);
            }

            foreach (var (userId, online) in changes)
            {
                try
                {
                    await ApplyAsync(followed, userId, online, ct);
                }
                catch (Exception e) when (e is NatsException or TimeoutException)
                {
                    NatsUplinkLog.InterestFailed(_logger, userId, e.Message);
                    Presence(new PresenceFrame(userId, online, online ? 1 : 0));
                    await Task.Delay(_options.RetryBaseDelay, _time, ct);
                }
            }
        }
    }

    private async Task ApplyAsync(System.Collections.Concurrent.ConcurrentDictionary<string, RoutedSubscription> followed, string userId, bool online, CancellationToken ct)
    {
        // The registry is the truth: a user whose sessions came and went since is followed as it is now.
        online = Registry.ForUser(userId).Length > 0;
        if (online && !followed.ContainsKey(userId))
        {
            followed[userId] = await SubscribeAsync(ClusterSubjects.User(userId), () => Registry.ForUser(userId), userId, ct);
        }
        else if (!online && followed.TryRemove(userId, out var subscription))
        {
            await subscription.DisposeAsync();
        }

        var sessions = Registry.ForUser(userId).Length;
        var frame = Serialize(new PresenceFrame(userId, online, sessions));
        if (online)
        {
            // "Online" makes an API instance re-send what is pending, so it must reach one: a request the
            // queue group answers. No answer (no instance connected yet, e.g. this broker was back on NATS
            // first after an outage) throws, and the caller announces the user again after a pause.
            await _connection.RequestAsync<byte[], byte[]>(
                ClusterSubjects.Presence, frame, replyOpts: new NatsSubOpts { Timeout = _options.RequestTimeout }, cancellationToken: ct);
        }
        else
        {
            await _connection.PublishAsync(ClusterSubjects.Presence, frame, cancellationToken: ct);
        }
    }

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
