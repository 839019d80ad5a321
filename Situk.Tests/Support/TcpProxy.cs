using System.Net;
using System.Net.Sockets;

namespace Situk.Tests.Support;

/// <summary>
/// A TCP forwarder on loopback that can make the network vanish. Devices connect to <see cref="Port"/>
/// and every connection is relayed to the target. <see cref="Blackhole"/> silently drops every byte
/// both ways from then on, without closing or resetting anything — a phone walking out of Wi-Fi: no
/// FIN, no close frame, the peers simply hear nothing. <see cref="Restore"/> brings the network back:
/// new connections are relayed again, and a connection whose far side gave up meanwhile is reset, as
/// the server's kernel would answer the device's next packet with RST. <see cref="Strand"/> silences only
/// the connections open now, for good — the device moved to another network: its old connection
/// hears nothing ever again, new ones pass.
/// <code>
/// await using var proxy = await TcpProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, brokerPort));
/// // connect to ws://127.0.0.1:{proxy.Port}/ws
/// proxy.Blackhole();
/// proxy.Restore();
/// </code>
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Pair> _pairs = [];
    private readonly Lock _gate = new();
    private Task _accepting = Task.CompletedTask;
    private bool _blackholed;

    private TcpProxy(IPEndPoint target) => _target = target;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections relayed so far.</summary>
    public int Accepted { get; private set; }

    public static Task<TcpProxy> StartAsync(IPEndPoint target)
    {
        var proxy = new TcpProxy(target);
        proxy._listener.Start();
        proxy._accepting = proxy.AcceptAsync(proxy._stop.Token);
        return Task.FromResult(proxy);
    }

    /// <summary>From now on every byte, both ways, on every connection, is read and thrown away.</summary>
    public void Blackhole()
    {
        lock (_gate)
        {
            _blackholed = true;
            foreach (var pair in _pairs)
            {
                pair.Silent = true;
            }
        }
    }

    /// <summary>Every connection open now is silenced for good (both ways, nothing closed); new ones are relayed.</summary>
    public void Strand()
    {
        lock (_gate)
        {
            foreach (var pair in _pairs)
            {
                pair.Silent = true;
                pair.Stranded = true;
            }
        }
    }

    /// <summary>Forwards again; connections whose far side closed during the blackout are reset.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            foreach (var pair in _pairs.Where(p => p.FarSideGone))
            {
                pair.Reset();
            }

            _pairs.RemoveAll(p => p.FarSideGone);
            foreach (var pair in _pairs.Where(p => !p.Stranded))
            {
                pair.Silent = false;
            }

            _blackholed = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Pair[] pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
        }

        foreach (var pair in pairs)
        {
            pair.Reset();
        }

        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(pairs.Select(p => p.Pumping)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(ct);
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target, ct);
            }
            catch (SocketException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            var pair = new Pair(client, server);
            lock (_gate)
            {
                pair.Silent = _blackholed;
                _pairs.Add(pair);
                Accepted++;
            }

            pair.Pumping = RelayAsync(pair, client, server);
        }
    }

    // Both directions until both ended; then the pair is done with, unless it is a blackout's casualty
    // kept for Restore to reset.
    private async Task RelayAsync(Pair pair, Socket client, Socket server)
    {
        await Task.WhenAll(PumpAsync(pair, client, server, fromFarSide: false), PumpAsync(pair, server, client, fromFarSide: true));
        if (!pair.FarSideGone)
        {
            lock (_gate)
            {
                _pairs.Remove(pair);
            }

            pair.Reset();
        }
    }

    private async Task PumpAsync(Pair pair, Socket from, Socket to, bool fromFarSide)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                if (!pair.Silent)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
            }

            if (pair.Silent)
            {
                // The closing side's FIN is lost in the void too; the other side learns nothing.
                pair.FarSideGone |= fromFarSide;
                return;
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (pair.Silent)
            {
                pair.FarSideGone |= fromFarSide;
                return;
            }

            pair.Reset();
        }
    }

    private sealed class Pair(Socket client, Socket server)
    {
        public Task Pumping { get; set; } = Task.CompletedTask;

        /// <summary>The target closed or reset its end while the network was gone.</summary>
        public bool FarSideGone { get; set; }

        /// <summary>Bytes are read and dropped, both ways.</summary>
        public bool Silent { get; set; }

        /// <summary>Silent for good: <see cref="Restore"/> does not bring it back.</summary>
        public bool Stranded { get; set; }

        /// <summary>Closes both ends with RST (linger 0).</summary>
        public void Reset()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.Close(0);
                }
                catch (ObjectDisposedException)
                {
                    // Already closed.
                }
            }
        }
    }
}
