using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Situk.Api.Relay;

/// <summary>
/// One open internal socket: the bounded queue its single writer drains, and the publishes waiting for
/// their <c>published</c> answer, keyed by <c>ref</c>. Closing fails every waiting publish at once.
/// </summary>
internal sealed class LinkConnection(ClientWebSocket socket, int queueCapacity)
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<int>> _pending = new();
    private volatile bool _closed;

    public ClientWebSocket Socket { get; } = socket;

    public Channel<byte[]> Outgoing { get; } = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(queueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Queues the serialised frame and waits for the broker's answer; returns how many sessions it reached.</summary>
    public async Task<int> PublishAsync(long reference, byte[] frame, TimeSpan timeout, TimeProvider timeProvider, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[reference] = answer;
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            if (_closed)
            {
                throw new BrokerUnavailableException("The broker link closed.");
            }

            await Outgoing.Writer.WriteAsync(frame, linked.Token);
            return await answer.Task.WaitAsync(linked.Token);
        }
        catch (ChannelClosedException ex)
        {
            throw new BrokerUnavailableException("The broker link closed.", ex);
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new BrokerUnavailableException($"The broker did not answer within {timeout}.", ex);
        }
        finally
        {
            _pending.TryRemove(reference, out _);
        }
    }

    /// <summary>The broker answered the publish with this <c>ref</c>.</summary>
    public void Complete(long reference, int sessions)
    {
        if (_pending.TryRemove(reference, out var answer))
        {
            answer.TrySetResult(sessions);
        }
    }

    /// <summary>No more frames go out; every publish still waiting fails with <paramref name="reason"/>.</summary>
    public void Close(Exception reason)
    {
        _closed = true;
        Outgoing.Writer.TryComplete();
        foreach (var reference in _pending.Keys)
        {
            if (_pending.TryRemove(reference, out var answer))
            {
                answer.TrySetException(reason);
            }
        }
    }
}
