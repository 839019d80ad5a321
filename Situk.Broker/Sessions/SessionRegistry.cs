using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;
using Situk.Contracts;

namespace Situk.Broker.Sessions;

/// <summary>
/// Every open device session, indexed by session id, by user and by role. Adding and removing touch one
/// user's lock only (O(1) for a bounded number of sessions per user); sending reads lock-free snapshots.
/// Presence (a user's first session opened, last closed) is announced to the API links under the user's
/// lock, so the announcements for one user are in order.
/// </summary>
internal sealed class SessionRegistry(IOptions<BrokerOptions> options, Fanout.IApiUplink links)
{
    private readonly ConcurrentDictionary<string, Session> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserSessions> _byUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Session>> _byRole = new(StringComparer.Ordinal);
    private int _count;
    private int _users;

    /// <summary>Open sessions.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Users with at least one open session.</summary>
    public int UserCount => Volatile.Read(ref _users);

    /// <summary>
    /// Registers <paramref name="session"/>. When the user already holds the maximum, the oldest is taken
    /// out and returned as <c>Evicted</c> for the caller to close. False if the id is already registered.
    /// </summary>
    public (bool Added, Session? Evicted) Add(Session session)
    {
        while (true)
        {
            var bucket = _byUser.GetOrAdd(session.UserId, static _ => new UserSessions());
            lock (bucket.Gate)
            {
                if (bucket.Dead)
                {
                    continue;
                }

                if (!_byId.TryAdd(session.Id, session))
                {
                    return (false, null);
                }

                var current = bucket.Sessions;
                Session? evicted = null;
                if (current.Length >= options.Value.MaxSessionsPerUser)
                {
                    evicted = current[0];
                    current = current[1..];
                    Unindex(evicted);
                }

                bucket.Sessions = [.. current, session];
                _byRole.GetOrAdd(session.Role, static _ => new(StringComparer.Ordinal))[session.Id] = session;
                Interlocked.Increment(ref _count);
                if (current.Length == 0 && evicted is null)
                {
                    Interlocked.Increment(ref _users);
                    links.Presence(new PresenceFrame(session.UserId, Online: true, Sessions: 1));
                }

                return (true, evicted);
            }
        }
    }

    /// <summary>Unregisters <paramref name="session"/>; false if it was not registered (already removed or evicted).</summary>
    public bool Remove(Session session)
    {
        if (!_byUser.TryGetValue(session.UserId, out var bucket))
        {
            return false;
        }

        lock (bucket.Gate)
        {
            var current = bucket.Sessions;
            var index = Array.IndexOf(current, session);
            if (bucket.Dead || index < 0)
            {
                return false;
            }

            bucket.Sessions = [.. current[..index], .. current[(index + 1)..]];
            Unindex(session);
            if (bucket.Sessions.Length == 0)
            {
                bucket.Dead = true;
                _byUser.TryRemove(KeyValuePair.Create(session.UserId, bucket));
                Interlocked.Decrement(ref _users);
                links.Presence(new PresenceFrame(session.UserId, Online: false, Sessions: 0));
            }

            return true;
        }
    }

    public Session? Find(string sessionId) => _byId.GetValueOrDefault(sessionId);

    /// <summary>The user's sessions right now, oldest first (a snapshot; never null).</summary>
    public Session[] ForUser(string userId) =>
        _byUser.TryGetValue(userId, out var bucket) ? bucket.Sessions : [];

    /// <summary>Every session the audience names, enumerated without locks.</summary>
    public IEnumerable<Session> Resolve(Audience to)
    {
        if (to.All)
        {
            return _byId.Select(static kv => kv.Value);
        }

        if (to.Role is not null)
        {
            return _byRole.TryGetValue(to.Role, out var role) ? role.Select(static kv => kv.Value) : [];
        }

        return (to.UserIds ?? []).Distinct(StringComparer.Ordinal).SelectMany(ForUser);
    }

    public IEnumerable<Session> All => _byId.Select(static kv => kv.Value);

    public string[] OnlineUsers() => [.. _byUser.Where(static kv => !kv.Value.Dead).Select(static kv => kv.Key)];

    private void Unindex(Session session)
    {
        _byId.TryRemove(session.Id, out _);
        if (_byRole.TryGetValue(session.Role, out var role))
        {
            role.TryRemove(session.Id, out _);
        }

        Interlocked.Decrement(ref _count);
    }
}
