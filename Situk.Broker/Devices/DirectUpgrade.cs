using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Options;
using Situk.Broker.Auth;
using Situk.Broker.Options;
using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;

namespace Situk.Broker.Devices;

/// <summary>
/// The device listener's first look at each accepted socket (<c>Situk:Broker:DirectUpgrade</c>, on by
/// default; <see cref="Transport.DeviceListener"/>). It peeks at the first request without reading it;
/// when that is a valid device upgrade that passes admission, it reads the request, answers 101 and runs
/// the session on the socket itself, so an open device socket carries neither Kestrel's transport (pipes,
/// connection objects) nor its HTTP/1.1 request objects — most of what an idle device costs the broker
/// (docs/broker.md, "Direct upgrades"). Everything else — the device page, <c>/healthz</c>, malformed or
/// refused upgrades, bytes that are not HTTP — is handed to Kestrel untouched, every byte still unread,
/// and gets its answers from the HTTP pipeline.
/// </summary>
internal sealed class DirectUpgrade(DeviceEndpoint devices, Limits.ConnectionGate gate, BrokerMetrics metrics, IOptions<BrokerOptions> options, TimeProvider time)
{
    /// <summary>Longest pause between two looks at a request head that is still arriving.</summary>
    private static readonly TimeSpan MaxPeekPause = TimeSpan.FromMilliseconds(50);

    private readonly BrokerOptions _options = options.Value;

    /// <summary>
    /// Takes <paramref name="socket"/> as a device, or hands it to Kestrel with <paramref name="toKestrel"/>;
    /// <paramref name="decided"/> is called once, as soon as it is one or the other (or dropped). Returns once it
    /// is decided and, for a device, its session has started: the session is not awaited here, so an idle device
    /// keeps no waiting method of the upgrade's (or the listener's) alive, only its session's own (docs/broker.md,
    /// memory per device). When the session ends it closes the socket and calls <paramref name="ended"/>, with what
    /// ended it if that was unexpected. A dropped socket is closed before this returns; either way its descriptor is
    /// counted until then (<see cref="Limits.SocketBudget"/>). <paramref name="stopping"/> drops a socket whose
    /// request is still awaited; a running session is closed by the host instead (1001).
    /// </summary>
    public async Task<DirectOutcome> RunAsync(Socket socket, Action<Socket> toKestrel, Action decided, Action<Exception?> ended, CancellationToken stopping)
    {
        var outcome = DirectOutcome.Dropped;
        try
        {
            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address;
            Admitted? admitted;
            try
            {
                using (stopping.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
                {
                    admitted = await TryAdmitAsync(socket, remote);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                // No complete head within the handshake timeout (dropped, as Kestrel's header timeout would
                // drop it), the peer went away before its request was complete, or the broker is stopping.
                return outcome;
            }
            finally
            {
                decided();
            }

            if (admitted is null)
            {
                outcome = DirectOutcome.ToKestrel;
                toKestrel(socket);
                return outcome;
            }

            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {admitted.AcceptKey}\r\n\r\n"));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // The peer went away while the 101 was being sent.
                gate.Exit();
                return outcome;
            }

            // Where the broker can write to the socket without waiting (Linux), its sessions own every write
            // to it (Sockets/SocketWire.cs): frames go out whole, with one send() when nothing is queued.
            // Its pings then come from the broker's one sweep (Sessions/HeartbeatSweep.cs), not from a timer of the socket's own.
            var wire = NonBlockingSend.Supported ? new SocketWire(socket) : null;
            var webSocket = WebSocket.CreateFromStream(wire ?? (Stream)new NetworkStream(socket, ownsSocket: true), new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = wire is null ? _options.Heartbeat : TimeSpan.Zero,
                KeepAliveTimeout = wire is null ? _options.HeartbeatTimeout : Timeout.InfiniteTimeSpan,
            });
            metrics.Upgraded("direct");
            outcome = DirectOutcome.Session;
            _ = devices.RunSessionAsync(
                webSocket, wire, admitted.Identity, admitted.DeviceClass, admitted.Client, CancellationToken.None,
                new Owner(socket, webSocket, gate, ended));
            return outcome;
        }
        finally
        {
            if (outcome == DirectOutcome.Dropped)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Peeks until the request head is complete, then parses it and runs admission. On success the head
    /// has been read off the socket and the caller owns one slot of the gate; null means nothing was read
    /// and nothing counted. After <c>HandshakeTimeoutSeconds</c> the socket is closed, and this throws (canceled, or the
    /// closed socket's error).
    /// </summary>
    private async Task<Admitted?> TryAdmitAsync(Socket socket, IPAddress? remote)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(UpgradeRequest.MaxHeadBytes + 1);
        try
        {
            // The deadline closes the socket rather than canceling each receive: a receive given a token leaves its
            // registration in the socket's cached receive operation, which then keeps this source (and its timer's
            // remains) alive for as long as the device stays connected, about 120 bytes per idle device.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), time);
            using var closeAtDeadline = timeout.Token.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
            var pause = TimeSpan.FromMilliseconds(1);
            while (true)
            {
                // A peek waits for the first bytes, then returns at once with what is there: poll for the rest.
                var peeked = await socket.ReceiveAsync(buffer.AsMemory(0, UpgradeRequest.MaxHeadBytes + 1), SocketFlags.Peek);
                var bytes = buffer.AsSpan(0, peeked);
                if (peeked == 0 || !UpgradeRequest.CouldBe(bytes))
                {
                    return null;
                }

                if (UpgradeRequest.HeadLength(bytes) is not { } length)
                {
                    if (peeked > UpgradeRequest.MaxHeadBytes)
                    {
                        return null;
                    }

                    await Task.Delay(pause, time, timeout.Token);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPeekPause.Ticks));
                    continue;
                }

                var request = UpgradeRequest.TryParse(bytes[..length]);
                var admission = request is null ? null : await devices.TryAdmitDirectAsync(request, remote);
                if (admission is null)
                {
                    return null;
                }

                // The head is buffered in the socket: read exactly it, leaving any frame behind it for the WebSocket.
                try
                {
                    for (var read = 0; read < length;)
                    {
                        var got = await socket.ReceiveAsync(buffer.AsMemory(read, length - read), SocketFlags.None);
                        read += got > 0 ? got : throw new IOException("The connection ended inside its request head.");
                    }
                }
                catch
                {
                    gate.Exit();
                    throw;
                }

                return new Admitted(request!.AcceptKey(), request.Device, admission.Identity, admission.Client);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What the session gets of its upgrade: not the request, nor the token in it.</summary>
    private sealed record Admitted(string AcceptKey, string? DeviceClass, DeviceIdentity Identity, IPAddress? Client);

    /// <summary>What a direct session gives back when it ends: its WebSocket, its slot of the gate, its socket, then the listener's count.</summary>
    private sealed class Owner(Socket socket, WebSocket webSocket, Limits.ConnectionGate gate, Action<Exception?> ended) : ISessionOwner
    {
        public void Ended(Exception? failure)
        {
            webSocket.Dispose();
            gate.Exit();
            socket.Dispose();

            // The peer going away mid-write is how sessions end, not a failure.
            ended(failure is SocketException or ObjectDisposedException or IOException ? null : failure);
        }
    }
}

/// <summary>What became of a socket the device listener gave to <see cref="DirectUpgrade"/>.</summary>
internal enum DirectOutcome
{
    /// <summary>Closed: no request in time, the peer left, or the broker is stopping.</summary>
    Dropped,

    /// <summary>Handed to Kestrel, which closes it.</summary>
    ToKestrel,

    /// <summary>A device session runs on it and closes it when it ends.</summary>
    Session,
}
