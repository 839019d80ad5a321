using NATS.Client.Core;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

internal sealed partial class NatsUplink
{
    /// <summary>
    /// Users announced online in one request (an <c>online</c> frame of their ids): about 20 KiB for ids of 30
    /// characters, far below the NATS server's 1 MiB <c>max_payload</c>.
    /// </summary>
    private const int UsersPerAnnounce = 500;

    /// <summary>Announce requests waiting for an API instance's answer at once: 8 × 500 users in flight at most.</summary>
    private const int AnnouncesInFlight = 8;

    /// <summary>
    /// How long a round waits after the first change before it starts (20 ms), so the users of a connect storm share
    /// requests even where a round trip takes a millisecond; a lone connect is followed that much later.
    /// </summary>
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(20);

    private long _announces;

    /// <summary>Presence requests ("online" batches) answered by an API instance since the broker started.</summary>
    public long Announces => Interlocked.Read(ref _announces);

    /// <summary>
    /// Follows users as their presence changes, a round at a time: every change since the last round is applied
    /// (each user once, as the registry says now), the users now online are subscribed to and announced in
    /// batches with several batches in flight, and the next round starts once this round's batches are answered.
    /// A user is subscribed before the batch naming it goes out, both on one connection, so the server has the
    /// subscription before any API instance can re-send; a user is unsubscribed before "offline" is published.
    /// One round at a time keeps a user's changes in order: one who connects, disconnects and connects again
    /// during a round is applied again, as the registry then says, in the next.
    /// </summary>
    private async Task FollowUsersAsync(CancellationToken ct)
    {
        var failedRounds = 0;
        while (await _interestSignal.Reader.WaitToReadAsync(ct))
        {
            await Task.Delay(GatherDelay, _time, ct);
            _interestSignal.Reader.TryRead(out _);
            Dictionary<string, bool> changes;
            lock (_interestGate)
            {
                changes = _interestChanges;
                _interestChanges = new(StringComparer.Ordinal);
            }

            bool followed;
            try
            {
                followed = await FollowRoundAsync(changes.Keys, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Whatever a round meets, this loop must outlive it: it is the only thing that ever follows a
                // user, and a user it drops stays unfollowed (NATS discards what is published for them) until
                // their presence changes again. Applying a user twice is harmless, so the whole round goes again.
                NatsUplinkLog.FollowRoundFailed(_logger, changes.Count, e);
                foreach (var userId in changes.Keys)
                {
                    Requeue(userId);
                }

                followed = false;
            }

            if (followed)
            {
                failedRounds = 0;
            }
            else
            {
                // The users not followed or not announced are queued again; wait before the next round.
                await Task.Delay(Backoff(++failedRounds), _time, ct);
            }
        }
    }

    /// <summary>Applies one round of changes; false when some user could not be followed or announced (they are queued again).</summary>
    private async Task<bool> FollowRoundAsync(IEnumerable<string> users, CancellationToken ct)
    {
        var ok = true;
        var inFlight = new List<Task<bool>>(AnnouncesInFlight);
        var batch = new List<string>(UsersPerAnnounce);
        foreach (var userId in users)
        {
            try
            {
                if (await ApplyAsync(userId, ct))
                {
                    batch.Add(userId);
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                // A subscribe the server did not confirm in time under a connect storm throws TimeoutException.
                NatsUplinkLog.InterestFailed(_logger, userId, e.Message);
                Requeue(userId);
                ok = false;
            }

            if (batch.Count == UsersPerAnnounce)
            {
                ok &= await StartAnnounceAsync(inFlight, [.. batch], ct);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            inFlight.Add(AnnounceAsync([.. batch], ct));
        }

        foreach (var announced in await Task.WhenAll(inFlight))
        {
            ok &= announced;
        }

        return ok;
    }

    /// <summary>Starts one announce, first waiting for the oldest in flight when <see cref="AnnouncesInFlight"/> are; false if that one failed.</summary>
    private async Task<bool> StartAnnounceAsync(List<Task<bool>> inFlight, string[] users, CancellationToken ct)
    {
        var ok = true;
        if (inFlight.Count == AnnouncesInFlight)
        {
            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            ok = await done;
        }

        inFlight.Add(AnnounceAsync(users, ct));
        return ok;
    }

    /// <summary>
    /// Follows or drops one user as the registry says now: true when the user has a session here (subscribed, to be
    /// announced online); false when not (unsubscribed if it was followed, and "offline" published).
    /// </summary>
    private async Task<bool> ApplyAsync(string userId, CancellationToken ct)
    {
        var sessions = Registry.ForUser(userId).Length;
        if (sessions > 0)
        {
            if (!_followed.ContainsKey(userId))
            {
                _followed[userId] = await SubscribeAsync(ClusterSubjects.User(userId), () => Registry.ForUser(userId), userId, ct);
            }

            return true;
        }

        if (_followed.TryRemove(userId, out var subscription))
        {
            await subscription.DisposeAsync();
        }

        // "Offline" asks nothing of the API: published, not requested.
        await _connection.PublishAsync(ClusterSubjects.Presence, Serialize(new PresenceFrame(userId, Online: false, Sessions: 0)), cancellationToken: ct);
        return false;
    }

    /// <summary>
    /// "Online" for a batch of users: a request the queue group answers once an instance took it, since it makes
    /// that instance re-send what is pending for them. No answer (no instance connected yet, e.g. this broker was
    /// back on NATS first after an outage) queues the users again for a later round.
    /// </summary>
    private async Task<bool> AnnounceAsync(string[] users, CancellationToken ct)
    {
        try
        {
            await _connection.RequestAsync<byte[], byte[]>(
                ClusterSubjects.Presence, Serialize(new OnlineUsersFrame(users)), replyOpts: new NatsSubOpts { Timeout = _options.RequestTimeout }, cancellationToken: ct);
            Interlocked.Increment(ref _announces);
            return true;
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            NatsUplinkLog.AnnounceFailed(_logger, users.Length, e.Message);
            foreach (var userId in users)
            {
                Requeue(userId);
            }

            return false;
        }
    }

    /// <summary>Queues a user for the next round, which starts after the failed round's back-off.</summary>
    private void Requeue(string userId)
    {
        lock (_interestGate)
        {
            _interestChanges.TryAdd(userId, true);
        }

        _interestSignal.Writer.TryWrite(true);
    }
}
