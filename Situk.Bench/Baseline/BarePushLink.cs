using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Situk.Contracts;

namespace Situk.Bench.Baseline;

/// <summary>
/// The least a REST endpoint can do to push what it stored: one WebSocket to the broker's internal socket, a
/// <c>publish</c> frame per call (serialised with the same contract as the API's link) and its <c>published</c>
/// answer awaited. No receipt credit is granted, so the broker sends this link no receipts; no queue, no retries,
/// no reconnect: a link that breaks fails the calls, which the bench counts as refused.
/// </summary>
internal sealed class BarePushLink : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<int>> _waiting = new();
    private readonly Task _reading;
    private long _nextRef;

    private BarePushLink(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = ReadAsync();
    }

    public static async Task<BarePushLink> ConnectAsync(Uri url, string key)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        await socket.ConnectAsync(url, CancellationToken.None);
        return new BarePushLink(socket);
    }

    /// <summary>Publishes to one user and returns how many of their sessions the broker queued it to.</summary>
    public async Task<int> PublishAsync(string userId, PushNotification notification, CancellationToken ct)
    {
        var reference = Interlocked.Increment(ref _nextRef);
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[reference] = answer;
        try
        {
            var frame = JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(
                new PublishFrame(reference, Audience.Users(userId), notification), SitukJson.Default.InternalFrame);
            await _sending.WaitAsync(ct);
            try
            {
                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                _sending.Release();
            }

            return await answer.Task.WaitAsync(AnswerTimeout, ct);
        }
        finally
        {
            _waiting.TryRemove(reference, out _);
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        // The broker's list of online users grows with the fleet.
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                // Presence and online-user frames come too; only the answers matter here.
                if (JsonSerializer.Deserialize(buffer.AsSpan(0, length), SitukJson.Default.InternalFrame) is PublishedFrame published
                    && _waiting.TryGetValue(published.Ref, out var answer))
                {
                    answer.TrySetResult(published.Sessions);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or JsonException)
        {
            // The link is gone: every call still waiting fails below, and later ones fail to send.
        }

        foreach (var answer in _waiting.Values)
        {
            answer.TrySetException(new WebSocketException("The broker link closed."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reading;
        _socket.Dispose();
        _sending.Dispose();
    }
}
