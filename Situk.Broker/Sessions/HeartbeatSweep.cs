using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;
using Situk.Broker.Sockets;

namespace Situk.Broker.Sessions;

/// <summary>
/// The heartbeat of every direct device socket (docs/protocol.md, "Heartbeat"), from one sweep instead of a timer per
/// socket. The runtime's WebSocket keep-alive gave each socket its own timer, firing every quarter of the shorter of
/// <c>HeartbeatSeconds</c> and <c>HeartbeatTimeoutSeconds</c>: about 240 bytes per idle device, and at 19,000 devices
/// 5,000 timer callbacks a second. The sweep runs as often, and per session: a ping goes out every
/// <c>HeartbeatSeconds</c> while none is waiting for its answer; a device that has sent nothing since its ping
/// (<see cref="SocketWire.LastReadAt"/>: a pong, or any frame) within <c>HeartbeatTimeoutSeconds</c> has its socket
/// ended at once (1006, "no pong"). Sessions upgraded through the HTTP pipeline, which have no <see cref="SocketWire"/>,
/// keep the runtime's keep-alive.
/// </summary>
internal sealed class HeartbeatSweep(SessionRegistry registry, IOptions<BrokerOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>An unmasked ping with no payload: FIN + opcode 9, length 0.</summary>
    private static readonly ReadOnlyMemory<byte> Ping = new byte[] { 0x89, 0x00 };

    /// <summary>How often the sessions are swept: as the runtime's keep-alive checked, a quarter of the shorter period, at least a second.</summary>
    public static TimeSpan Every(BrokerOptions options) =>
        TimeSpan.FromMilliseconds(Math.Max(1000, Math.Min(options.Heartbeat.TotalMilliseconds, options.HeartbeatTimeout.TotalMilliseconds) / 4));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every(options.Value), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sweep(Environment.TickCount64);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the shutdown closes every session with 1001.
        }
    }

    /// <summary>Pings the sessions whose ping is due and drops the ones whose ping went unanswered; returns (pinged, dropped).</summary>
    internal (int Pinged, int Dropped) Sweep(long now)
    {
        var heartbeat = (long)options.Value.Heartbeat.TotalMilliseconds;
        var timeout = (long)options.Value.HeartbeatTimeout.TotalMilliseconds;
        int pinged = 0, dropped = 0;
        foreach (var session in registry.All)
        {
            if (session.Writer.Wire is not { } wire || session.Writer.IsClosing)
            {
                continue;
            }

            var sent = session.PingSentAt;
            var heard = wire.LastReadAt;
            if (sent != 0 && heard < sent)
            {
                if (now - sent >= timeout)
                {
                    session.DropUnresponsive();
                    dropped++;
                }

                continue;
            }

            // A ping every heartbeat, the first a heartbeat after the session's reads began.
            if (now - (sent != 0 ? sent : heard) >= heartbeat)
            {
                session.PingSentAt = now;
                Send(wire);
                pinged++;
            }
        }

        return (pinged, dropped);
    }

    /// <summary>Writes the ping in turn with the session's frames; a socket that fails meanwhile ends its session by itself.</summary>
    private static void Send(SocketWire wire)
    {
        try
        {
            var write = wire.WriteAsync(Ping);
            if (!write.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(write);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Gone already.
        }
    }

    private static async Task ObserveAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Gone meanwhile.
        }
    }
}
