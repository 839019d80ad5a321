using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Situk.Broker.Devices;

namespace Situk.Broker.Transport;

/// <summary>
/// The device listener's accept loop, in place of Kestrel's socket transport. Each accepted socket goes to
/// <see cref="DirectUpgrade"/> first; the ones it does not take as devices are wrapped exactly as Kestrel's
/// own transport wraps a socket (<see cref="SocketConnectionContextFactory"/>) and returned from
/// <see cref="AcceptAsync"/>, so Kestrel serves them with its limits, timeouts and HTTP pipeline as before.
/// At most <see cref="MaxUndecided"/> sockets wait for their first request at once; past that, a new one
/// goes straight to Kestrel, whose connection limit and header timeout then bound it.
/// </summary>
internal sealed class DeviceListener : IConnectionListener
{
    /// <summary>Sockets whose first request is still being looked at, at most.</summary>
    public const int MaxUndecided = 256;

    /// <summary>Pause after a failed accept (out of descriptors, say), so the loop does not spin.</summary>
    private static readonly TimeSpan AcceptRetryPause = TimeSpan.FromMilliseconds(20);

    private readonly Socket _listenSocket;
    private readonly DirectUpgrade _direct;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly ILogger _logger;
    private readonly Channel<Socket> _toKestrel = Channel.CreateUnbounded<Socket>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Socket> _handOver;
    private readonly Action _decided;
    private readonly Task _accepting;
    private int _undecided;

    private DeviceListener(Socket listenSocket, DirectUpgrade direct, SocketTransportOptions options, ILoggerFactory loggers)
    {
        _listenSocket = listenSocket;
        _direct = direct;
        _logger = loggers.CreateLogger<DeviceListener>();
        _contexts = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = options.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = options.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = options.MaxReadBufferSize,
                MaxWriteBufferSize = options.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = options.UnsafePreferInlineScheduling,
            },
            loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        _handOver = socket => _toKestrel.Writer.TryWrite(socket);
        _decided = () => Interlocked.Decrement(ref _undecided);
        EndPoint = listenSocket.LocalEndPoint!;
        _accepting = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    public static DeviceListener Bind(EndPoint endPoint, DirectUpgrade direct, SocketTransportOptions options, ILoggerFactory loggers)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
        try
        {
            socket.Listen(options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new DeviceListener(socket, direct, options, loggers);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _toKestrel.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_toKestrel.Reader.TryRead(out var socket))
            {
                try
                {
                    return _contexts.Create(socket);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The peer left before Kestrel could take the socket.
                    socket.Dispose();
                }
            }
        }

        return null;
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listenSocket.Dispose();
        await _accepting;
    }

    public async ValueTask DisposeAsync()
    {
        _listenSocket.Dispose();
        await _accepting;
        while (_toKestrel.Reader.TryRead(out var socket))
        {
            socket.Dispose();
        }

        _contexts.Dispose();
    }

    /// <summary>One accepted socket's whole life on the direct path; what nothing below expected is logged, as Kestrel would.</summary>
    private async Task RunDeviceAsync(Socket socket)
    {
        try
        {
            await _direct.RunAsync(socket, _handOver, _decided);
        }
        catch (Exception e)
        {
            DeviceListenerLog.Failed(_logger, e);
        }
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                break;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted, or no descriptor left for it.
                DeviceListenerLog.AcceptFailed(_logger, e.SocketErrorCode);
                await Task.Delay(AcceptRetryPause);
                continue;
            }

            try
            {
                socket.NoDelay = true;
            }
            catch (SocketException)
            {
                // Reset between the accept and now: nothing to serve.
                socket.Dispose();
                continue;
            }

            if (Interlocked.Increment(ref _undecided) > MaxUndecided)
            {
                _decided();
                _handOver(socket);
                continue;
            }

            _ = RunDeviceAsync(socket);
        }

        _toKestrel.Writer.TryComplete();
    }
}

internal static partial class DeviceListenerLog
{
    [LoggerMessage(1, LogLevel.Debug, "A device connection failed before it was accepted: {Error}")]
    public static partial void AcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(2, LogLevel.Error, "A device connection ended with an unexpected error.")]
    public static partial void Failed(ILogger logger, Exception exception);
}
