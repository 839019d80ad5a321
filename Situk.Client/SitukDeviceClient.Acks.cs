using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Situk.Contracts;

namespace Situk.Client;

public sealed partial class SitukDeviceClient
{
    // Ids per windowed ack frame: 128 ids of 19 digits and 128 delays of 10 digits stay under the broker's 4 KiB a frame.
    private const int WindowChunk = 128;

    /// <summary>An id handed over on the current socket and not acked yet, with the <see cref="TimeProvider"/> timestamp it arrived at.</summary>
    private readonly record struct PendingAck(long Id, long ReceivedAt);

    // The current socket's automatic acks, gathered by AckWindowAsync; null while no socket is welcomed.
    private Channel<PendingAck>? _pendingAcks;

    /// <summary>
    /// Queues automatic acks for the current socket's next ack frame; with no window (or no socket), sends them at once
    /// as before. Acks still waiting when the socket closes are dropped: the broker pushes those notifications again after
    /// the reconnect, or the inbox sync hands them over again, and they are acked then.
    /// </summary>
    private Task AutoAckAsync(List<long> ids, CancellationToken ct)
    {
        if (_options.AckWindow <= TimeSpan.Zero || Volatile.Read(ref _pendingAcks) is not { } pending)
        {
            return AckAsync(ids, ct);
        }

        var now = _time.GetTimestamp();
        foreach (var id in ids)
        {
            pending.Writer.TryWrite(new PendingAck(id, now));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// One socket's ack window: from the first id waiting, waits <see cref="SitukClientOptions.AckWindow"/>, then sends
    /// every id that arrived meanwhile in one frame (at most 128 ids a frame), each with the milliseconds since it arrived,
    /// so the broker still dates each receipt when the device got it. Ends with the socket.
    /// </summary>
    private async Task AckWindowAsync(ClientWebSocket socket, ChannelReader<PendingAck> pending, CancellationToken ct)
    {
        var ids = new List<long>();
        var delays = new List<int>();
        try
        {
            while (await pending.WaitToReadAsync(ct))
            {
                await Task.Delay(_options.AckWindow, _time, ct);
                var now = _time.GetTimestamp();
                ids.Clear();
                delays.Clear();
                while (pending.TryRead(out var ack))
                {
                    ids.Add(ack.Id);
                    delays.Add(AckDelayMilliseconds(_time, ack.ReceivedAt, now));
                }

                for (var start = 0; start < ids.Count; start += WindowChunk)
                {
                    var count = Math.Min(WindowChunk, ids.Count - start);
                    var frame = new AckFrame([.. ids.GetRange(start, count)], [.. delays.GetRange(start, count)]);
                    if (!await SendFrameAsync(socket, frame, ct))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The socket's session ended: what is still waiting is acked after the reconnect (see AutoAckAsync).
        }
    }

    /// <summary>
    /// The whole milliseconds from an id's arrival to the window's clock reading, never negative: an id that arrives
    /// while the window is being read out (after <paramref name="now"/> was taken) has waited no time at all, and the
    /// broker closes a socket that sends a negative delay with 1008.
    /// </summary>
    internal static int AckDelayMilliseconds(TimeProvider time, long receivedAt, long now) =>
        (int)Math.Clamp(time.GetElapsedTime(receivedAt, now).TotalMilliseconds, 0, int.MaxValue);

    /// <summary>Sends one frame on <paramref name="socket"/> under the send lock; false when the socket is gone.</summary>
    private async Task<bool> SendFrameAsync(ClientWebSocket socket, DeviceFrame frame, CancellationToken ct)
    {
        if (socket.State != WebSocketState.Open)
        {
            return false;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.DeviceFrame);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
