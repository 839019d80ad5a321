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
    /// <paramref name="decided"/> is called once, as soon as it is one or the other (or dropped). True when
    /// the socket went to Kestrel; otherwise it is closed when this returns, whatever happened (its
    /// descriptor is counted until then: <see cref="Limits.SocketBudget"/>). <paramref name="stopping"/>
    /// drops a socket whose request is still awaited; an upgraded session is closed by the host instead (1001).
    /// </summary>
    public async Task<bool> RunAsync(Socket socket, Action<Socket> toKestrel, Action decided, CancellationToken stopping)
    {
        var handedOver = false;
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
                return false;
            }
            finally
            {
                decided();
            }

            if (admitted is null)
            {
                handedOver = true;
                toKestrel(socket);
                return true;
            }

            // The session runs in this method, not in one of its own: every idle device keeps each async method
            // it waits in alive (docs/broker.md, memory per device).
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {admitted.AcceptKey}\r\n\r\n"));

                // Where the broker can write to the socket without waiting (Linux), its sessions own every write
                // to it (Sockets/SocketWire.cs): frames go out whole, with one send() when nothing is queued.
                Stream stream = NonBlockingSend.Supported ? new SocketWire(socket) : new NetworkStream(socket, ownsSocket: true);
                using var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
                {
                    IsServer = true,
                    KeepAliveInterval = _options.Heartbeat,
                    KeepAliveTimeout = _options.HeartbeatTimeout,
                });
                metrics.Upgraded("direct");
                await devices.RunSessionAsync(webSocket, stream as SocketWire, admitted.Identity, admitted.DeviceClass, admitted.Client, CancellationToken.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // The peer went away while the 101 was being sent.
            }
            finally
            {
                gate.Exit();
            }

            return false;
        }
        finally
        {
            if (!handedOver)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Peeks until the request head is complete, then parses it and runs admission. On success the head
    /// has been read off the socket and the caller owns one slot of the gate; null means nothing was read
    /// and nothing counted. Throws <see cref="OperationCanceledException"/> after <c>HandshakeTimeoutSeconds</c>.
    /// </summary>
    private async Task<Admitted?> TryAdmitAsync(Socket socket, IPAddress? remote)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(UpgradeRequest.MaxHeadBytes + 1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), time);
            var pause = TimeSpan.FromMilliseconds(1);
            while (true)
            {
                // A peek waits for the first bytes, then returns at once with what is there: poll for the rest.
                var peeked = await socket.ReceiveAsync(buffer.AsMemory(0, UpgradeRequest.MaxHeadBytes + 1), SocketFlags.Peek, timeout.Token);
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
                        var got = await socket.ReceiveAsync(buffer.AsMemory(read, length - read), SocketFlags.None, timeout.Token);
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

    /// <summary>What the session keeps of its upgrade: not the request, nor the token in it.</summary>
    private sealed record Admitted(string AcceptKey, string? DeviceClass, DeviceIdentity Identity, IPAddress? Client);
}
