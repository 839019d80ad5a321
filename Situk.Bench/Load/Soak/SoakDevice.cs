using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Situk.Bench.Load.Targets;
using Situk.Contracts;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// One device slot for the whole soak: connects, reads and acks every notification as a real device does
/// and, when it churns, leaves after a random dwell — by a close handshake or by dropping the socket,
/// in turn — and comes back as a new session. Before it leaves it waits (bounded) for everything it is
/// owed, so a loss is a loss and not a frame still in flight.
/// </summary>
internal sealed class SoakDevice(int index, bool churns, SoakFleet fleet)
{
    private static readonly TimeSpan CatchUpDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    private readonly Random _random = new(index);
    private int _leaves;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            fleet.Target.Prepare(socket, index);
            if (!await ConnectAsync(socket, stop))
            {
                await Pause(TimeSpan.FromSeconds(1), stop);
                continue;
            }

            var session = new DeviceSession(fleet.Book);
            fleet.Opened();
            var receiving = ReceiveAsync(socket, session);
            try
            {
                await Task.WhenAny(receiving, Task.Delay(churns ? Dwell() : Timeout.InfiniteTimeSpan, stop));
                var endedByServer = receiving.IsCompleted;
                await session.LeaveAsync(CatchUpDeadline, receiving);
                if (endedByServer || (receiving.IsCompleted && !stop.IsCancellationRequested))
                {
                    fleet.ClosedByServer(socket.CloseStatus is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : "lost");
                }
                else
                {
                    await LeaveAsync(socket, graceful: stop.IsCancellationRequested || _leaves++ % 2 == 0);
                }
            }
            finally
            {
                socket.Abort();
                await receiving;
                fleet.Closed();
            }

            if (!churns && !stop.IsCancellationRequested)
            {
                await Pause(TimeSpan.FromSeconds(1), stop); // a stable device the broker closed comes back too
            }
            else if (churns)
            {
                fleet.Left();
                await Pause(TimeSpan.FromMilliseconds(_random.Next(200, 2000)), stop);
            }
        }
    }

    private async Task<bool> ConnectAsync(ClientWebSocket socket, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(fleet.Target.DeviceUri(index, DeviceClasses.Android), fleet.Sources.InvokerFor(index), timeout.Token);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            if (!stop.IsCancellationRequested)
            {
                fleet.Refused(socket.HttpStatusCode != 0 ? ((int)socket.HttpStatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : e is OperationCanceledException ? "timeout" : "error");
            }

            return false;
        }
    }

    /// <summary>Reads until the socket ends: the welcome opens the session's debt, notifications pay it, each is acked.</summary>
    private async Task ReceiveAsync(ClientWebSocket socket, DeviceSession session)
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        return; // larger than any soak payload: not ours
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var receivedAt = Stopwatch.GetTimestamp();
                switch (JsonSerializer.Deserialize(buffer.AsSpan(0, count), SitukJson.Default.DeviceFrame))
                {
                    case WelcomeFrame:
                        session.Welcomed();
                        break;
                    case NotificationFrame n:
                        session.Received((int)(n.Id - SoakBook.FirstId), receivedAt);
                        await socket.SendAsync(
                            JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame([n.Id]), SitukJson.Default.DeviceFrame),
                            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted by this side on leave, or ended by the server: the caller tells which.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A close handshake (bounded), or the socket simply dropped, as a phone losing its network does.</summary>
    private static async Task LeaveAsync(ClientWebSocket socket, bool graceful)
    {
        if (!graceful)
        {
            socket.Abort();
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "leaving", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The abort in the caller's finally ends it.
        }
    }

    private TimeSpan Dwell() =>
        fleet.Options.DwellMin + (fleet.Options.DwellMax - fleet.Options.DwellMin) * _random.NextDouble();

    private static async Task Pause(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
