using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Bench.Delivery;

/// <summary>
/// N real device sockets on loopback, each with its own receive loop. <see cref="ExpectAsync"/> completes
/// when every device has received the notification with a given id: a benchmark that waits on it
/// times the delivery to the last device, not the enqueue.
/// </summary>
internal sealed class DeviceSwarm : IAsyncDisposable
{
    private readonly List<ClientWebSocket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private long _expectedId;
    private int _remaining;
    private TaskCompletionSource _allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<DeviceSwarm> ConnectAsync(BenchBroker broker, int devices, Func<int, string> userOf)
    {
        var swarm = new DeviceSwarm();
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, devices).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + BenchBroker.Token(userOf(i)));
                await socket.ConnectAsync(broker.DeviceUri, CancellationToken.None);
                lock (swarm._sockets)
                {
                    swarm._sockets.Add(socket);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var socket in swarm._sockets)
        {
            swarm._loops.Add(swarm.ReceiveLoopAsync(socket));
        }

        return swarm;
    }

    public int Count => _sockets.Count;

    /// <summary>Arms the swarm for notification <paramref name="id"/>; await the task after publishing.</summary>
    public Task ExpectAsync(long id)
    {
        _allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _remaining, _sockets.Count);
        Volatile.Write(ref _expectedId, id);
        return _allReceived.Task;
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket)
    {
        var buffer = new byte[128 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), _stop.Token);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (JsonSerializer.Deserialize(buffer.AsSpan(0, count), SitukJson.Default.DeviceFrame) is NotificationFrame n
                    && n.Id == Volatile.Read(ref _expectedId)
                    && Interlocked.Decrement(ref _remaining) == 0)
                {
                    _allReceived.TrySetResult();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The swarm is being disposed, or the broker went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
