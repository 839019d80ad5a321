using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Situk.Broker.Limits;
using Situk.Broker.Options;
using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;

namespace Situk.Broker.Devices;

/// <summary>
/// A connection middleware on the device listener (<c>Situk:Broker:DirectUpgrade</c>, on by default). It reads
/// the first request of a connection; when that is a valid device upgrade that passes admission, it answers
/// 101 itself and runs the session over the connection's own pipes, so the socket never carries Kestrel's
/// HTTP/1.1 connection, request and header objects for its whole life (about half of what an idle device
/// costs the broker; docs/broker.md). Everything else — the device page, <c>/healthz</c>, malformed or
/// refused upgrades, bytes that are not HTTP — goes on untouched to the HTTP pipeline and its answers.
/// </summary>
internal sealed class DirectUpgrade(DeviceEndpoint devices, ConnectionGate gate, BrokerMetrics metrics, IOptions<BrokerOptions> options, TimeProvider time)
{
    private readonly BrokerOptions _options = options.Value;

    public async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        (UpgradeRequest Request, Auth.DeviceIdentity Identity)? admitted;
        try
        {
            admitted = await TryReadUpgradeAsync(connection, remote);
        }
        catch (OperationCanceledException)
        {
            // The head did not arrive within the handshake timeout (dropped, as Kestrel's header timeout
            // would drop it), or the connection was aborted meanwhile.
            connection.Abort(new ConnectionAbortedException("The request head did not arrive within the handshake timeout."));
            return;
        }
        catch (IOException)
        {
            // The peer reset the connection before its request was complete: nothing to answer.
            return;
        }

        if (admitted is null)
        {
            await next(connection);
            return;
        }

        // Only what the session needs is kept for its life: not the request and the token in it.
        var (acceptKey, deviceClass, identity) = (admitted.Value.Request.AcceptKey(), admitted.Value.Request.Device, admitted.Value.Identity);
        admitted = null;
        try
        {
            await AcceptAsync(connection.Transport.Output, acceptKey);
            await using var stream = new DuplexPipeStream(connection.Transport);
            using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = _options.Heartbeat,
                KeepAliveTimeout = _options.HeartbeatTimeout,
            });
            metrics.Upgraded("direct");
            await devices.RunSessionAsync(socket, identity, deviceClass, remote, connection.ConnectionClosed);
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>
    /// The connection's upgrade request and the device it admits, with the request's bytes consumed; or null,
    /// with nothing consumed, when the HTTP pipeline is to have the connection. Throws
    /// <see cref="OperationCanceledException"/> when the head is not complete within <c>HandshakeTimeoutSeconds</c>.
    /// </summary>
    private async Task<(UpgradeRequest Request, Auth.DeviceIdentity Identity)?> TryReadUpgradeAsync(ConnectionContext connection, IPAddress? remote)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), time);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (!UpgradeRequest.CouldBe(buffer))
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }

            var end = UpgradeRequest.FindEnd(buffer);
            if (end is null)
            {
                if (result.IsCompleted || buffer.Length > UpgradeRequest.MaxHeadBytes)
                {
                    input.AdvanceTo(buffer.Start);
                    return null;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var request = UpgradeRequest.TryParse(buffer.Slice(0, end.Value));
            var identity = request is null ? null : await devices.TryAdmitDirectAsync(request, remote);
            if (identity is null)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }

            input.AdvanceTo(end.Value);
            return (request!, identity);
        }
    }

    private static async Task AcceptAsync(PipeWriter output, string acceptKey)
    {
        var answer = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + $"Sec-WebSocket-Accept: {acceptKey}\r\n\r\n";
        await output.WriteAsync(Encoding.ASCII.GetBytes(answer));
    }
}
