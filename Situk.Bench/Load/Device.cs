using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load;

/// <summary>
/// One device: reads every message (throttled to <see cref="Kbit"/> when set), takes the arrival time when
/// the last byte is read, records the delay and acks the notification, as a real device does: the acks of
/// <see cref="AckWindow"/> in one frame with each id's delay (situk.js, Situk.Client), or with no window one frame each.
/// </summary>
internal sealed class Device(int index, string deviceClass, int kbit, ClientWebSocket socket)
{
    /// <summary>Throttled devices read this much at a time, then sleep to hold their bandwidth (as the original study did).</summary>
    private const int ThrottleChunk = 1024;

    private readonly List<(long Id, long ReceivedAt)> _pendingAcks = [];
    private Task _ackFlush = Task.CompletedTask;
    private bool _flushing;
    private long _lastId;
    private long _paceUntil;

    /// <summary>How long acks gather before they go out as one frame; zero sends each at once.</summary>
    public TimeSpan AckWindow { get; init; }

    /// <summary>Whether the device acks what it reads right now (null: always); the load command's silent probes turn it off.</summary>
    public Func<bool>? Acking { get; init; }

    /// <summary>The one-to-one phase's book while it runs (null otherwise, or always).</summary>
    public Func<OneToOneBook?>? OneToOne { get; init; }

    public int Index { get; } = index;

    public string Class { get; } = deviceClass;

    public int Kbit { get; } = kbit;

    public ClientWebSocket Socket { get; } = socket;

    public async Task RunAsync(LoadTarget target, Func<DelayBook?> book, CancellationToken cancellationToken)
    {
        try
        {
            await ReceiveAsync(target, book, cancellationToken);
        }
        finally
        {
            await _ackFlush.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReceiveAsync(LoadTarget target, Func<DelayBook?> book, CancellationToken cancellationToken)
    {
        var own = new byte[2048];
        var buffer = own;
        var ids = new List<long>(1);
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (count == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(bigger);
                    Return(buffer, own);
                    buffer = bigger;
                }

                var room = buffer.Length - count;
                result = await Socket.ReceiveAsync(buffer.AsMemory(count, Kbit > 0 ? Math.Min(room, ThrottleChunk) : room), cancellationToken);
                count += result.Count;
                if (Kbit > 0)
                {
                    await PaceAsync(result.Count, cancellationToken);
                }
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var receivedAt = Stopwatch.GetTimestamp();
            ids.Clear();
            target.ReadNotificationIds(buffer.AsSpan(0, count), ids);
            Return(buffer, own);
            buffer = own;
            if (OneToOne?.Invoke() is { } direct)
            {
                // One-to-one publishes: matched by order, whatever their ids (Situk's are the broker's, negative).
                foreach (var id in ids)
                {
                    direct.Record(Index, receivedAt);
                    await AckAsync(target, id, receivedAt, cancellationToken);
                }

                continue;
            }

            foreach (var id in ids)
            {
                if (id <= _lastId)
                {
                    continue; // at-least-once: a duplicate is dropped by id, as clients do
                }

                _lastId = id;
                book()?.Record(id, Class, Kbit, receivedAt);
                await AckAsync(target, id, receivedAt, cancellationToken);
            }
        }
    }

    /// <summary>Acks at once, or gathers the ack into the next window's frame; nothing while <see cref="Acking"/> says no.</summary>
    private async Task AckAsync(LoadTarget target, long id, long receivedAt, CancellationToken cancellationToken)
    {
        if (Acking?.Invoke() == false)
        {
            return;
        }

        if (AckWindow <= TimeSpan.Zero)
        {
            await Socket.SendAsync(target.Ack(id), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return;
        }

        lock (_pendingAcks)
        {
            _pendingAcks.Add((id, receivedAt));
            if (!_flushing)
            {
                _flushing = true;
                _ackFlush = FlushAcksAsync(target, cancellationToken);
            }
        }
    }

    /// <summary>Every <see cref="AckWindow"/> while acks are waiting: one frame with all of them (the only sender on the socket).</summary>
    private async Task FlushAcksAsync(LoadTarget target, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(AckWindow, cancellationToken);
            long[] ids;
            int[] delays;
            lock (_pendingAcks)
            {
                if (_pendingAcks.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                ids = [.. _pendingAcks.Select(a => a.Id)];
                delays = [.. _pendingAcks.Select(a => (int)Stopwatch.GetElapsedTime(a.ReceivedAt, now).TotalMilliseconds)];
                _pendingAcks.Clear();
            }

            // At most 128 ids a frame, as the clients send them (the broker takes 256).
            for (var start = 0; start < ids.Length; start += 128)
            {
                var end = Math.Min(ids.Length, start + 128);
                await Socket.SendAsync(target.Ack(ids[start..end], delays[start..end]), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
    }

    /// <summary>Sleeps so that the bytes read so far took at least bytes × 8 / kbit milliseconds.</summary>
    private Task PaceAsync(int bytes, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        var cost = bytes * 8L * Stopwatch.Frequency / (Kbit * 1000L);
        _paceUntil = Math.Max(_paceUntil, now) + cost;
        var wait = _paceUntil - now;
        return wait * 1000 / Stopwatch.Frequency >= 1
            ? Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken)
            : Task.CompletedTask;
    }

    private static void Return(byte[] buffer, byte[] own)
    {
        if (!ReferenceEquals(buffer, own))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
