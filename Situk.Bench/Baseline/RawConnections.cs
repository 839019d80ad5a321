using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace Situk.Bench.Baseline;

/// <summary>
/// The bare baseline's sockets: a concurrent set per user. A send takes the socket's own lock (a WebSocket
/// allows one send at a time, and a broadcast and a one-to-one publish may meet on it); a failed send drops
/// that socket and never stops the loop.
/// </summary>
internal sealed class RawConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<RawConnection, byte>> _byUser = new(StringComparer.Ordinal);

    public void Add(RawConnection connection) =>
        _byUser.GetOrAdd(connection.User, static _ => new ConcurrentDictionary<RawConnection, byte>()).TryAdd(connection, 0);

    public void Remove(RawConnection connection)
    {
        if (_byUser.TryGetValue(connection.User, out var set))
        {
            set.TryRemove(connection, out _);
        }
    }

    /// <summary>Sends <paramref name="payload"/> to every socket, one <c>SendAsync</c> after another; waits for those that did not finish at once.</summary>
    public async Task<int> BroadcastAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        var sent = 0;
        foreach (var (_, set) in _byUser)
        {
            foreach (var (connection, _) in set)
            {
                var send = connection.SendAsync(payload, cancellationToken);
                sent++;
                if (!send.IsCompleted)
                {
                    pending.Add(send);
                }
            }
        }

        await Task.WhenAll(pending);
        return sent;
    }

    /// <summary>Sends <paramref name="payload"/> to every socket of <paramref name="user"/>; returns how many there were.</summary>
    public async Task<int> SendToUserAsync(string user, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_byUser.TryGetValue(user, out var set))
        {
            return 0;
        }

        var sent = 0;
        foreach (var (connection, _) in set)
        {
            await connection.SendAsync(payload, cancellationToken);
            sent++;
        }

        return sent;
    }
}

/// <summary>One accepted socket, its user and its send lock.</summary>
internal sealed class RawConnection(string user, WebSocket socket)
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    public string User { get; } = user;

    public WebSocket Socket { get; } = socket;

    public async Task SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await Socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Socket.Abort(); // its receive loop ends and removes it
        }
        finally
        {
            _sending.Release();
        }
    }
}
