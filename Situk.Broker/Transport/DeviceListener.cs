using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Situk.Broker.Devices;
using Situk.Broker.Limits;

namespace Situk.Broker.Transport;

/// <summary>
/// The device listener's accept loop, in place of Kestrel's socket transport. Each accepted socket goes to
/// <see cref="DirectUpgrade"/> first; the ones it does not take as devices are wrapped exactly as Kestrel's
/// own transport wraps a socket (<see cref="SocketConnectionContextFactory"/>) and returned from
/// <see cref="AcceptAsync"/>, so Kestrel serves them with its limits, timeouts and HTTP pipeline as before.
/// At most <see cref="MaxUndecided"/> sockets wait for their first request at once; past that, a new one
/// goes straight to Kestrel, whose connection limit and header timeout then bound it.
/// <para>
/// Every socket it accepts is counted in the process's <see cref="SocketBudget"/> until it is closed,
/// whichever path it took. When the budget's device share is used up, a new socket gets a 503 at once
/// (<see cref="BusyAnswer"/>); when even that room is in use, the loop waits before its next accept, so
/// <c>accept()</c> never fails for want of a descriptor and the internal listener keeps its own room.
/// When it is disposed it waits for its direct sessions to finish their close handshakes (the host asked
/// them to close with 1001 when it began stopping), at most <c>CloseTimeoutSeconds</c> and a second.
/// </para>
/// </summary>
internal sealed class DeviceListener : IConnectionListener
{
    /// <summary>Sockets whose first request is still being looked at, at most.</summary>
    public const int MaxUndecided = 256;

    /// <summary>Pause after a failed accept (out of descriptors, say), so the loop does not spin.</summary>
    private static readonly TimeSpan AcceptRetryPause = TimeSpan.FromMilliseconds(20);

    /// <summary>Waited for direct sessions beyond <c>CloseTimeoutSeconds</c> at disposal, after which each has aborted itself.</summary>
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(1);

    private readonly Socket _listenSocket;
    private readonly DirectUpgrade _direct;
    private readonly SocketBudget _budget;
    private readonly TimeSpan _closeTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SocketConnectionContextFactory _contexts;
    private readonly ILogger _logger;
    private readonly Channel<Socket> _toKestrel = Channel.CreateUnbounded<Socket>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Socket> _handOver;
    private readonly Action _decided;
    private readonly Action<Exception?> _sessionEnded;
    private readonly Task _accepting;
    private int _undecided;

    /// <summary>Sockets being served here (direct sessions, undecided, refused), plus one for the accept loop itself.</summary>
    private int _running = 1;

    private DeviceListener(Socket listenSocket, DirectUpgrade direct, SocketBudget budget, TimeSpan closeTimeout, SocketTransportOptions options, ILoggerFactory loggers)
    {
        _listenSocket = listenSocket;
        _direct = direct;
        _budget = budget;
        _closeTimeout = closeTimeout;
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
        _handOver = HandOver;
        _decided = () => Interlocked.Decrement(ref _undecided);
        _sessionEnded = SessionEnded;
        EndPoint = listenSocket.LocalEndPoint!;
        _accepting = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    public static DeviceListener Bind(
        EndPoint endPoint, DirectUpgrade direct, SocketBudget budget, TimeSpan closeTimeout, SocketTransportOptions options, ILoggerFactory loggers)
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

        return new DeviceListener(socket, direct, budget, closeTimeout, options, loggers);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _toKestrel.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_toKestrel.Reader.TryRead(out var socket))
            {
                try
                {
                    return new CountedConnection(_contexts.Create(socket), _budget);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The peer left before Kestrel could take the socket.
                    socket.Dispose();
                    _budget.Release();
                }
            }
        }

        return null;
    }

    /// <summary>Stops accepting and drops the sockets whose first request is still awaited.</summary>
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listenSocket.Dispose();
        await _stopping.CancelAsync();
        await _accepting;
    }

    /// <summary>Waits for the direct sessions to close (bounded), then closes what is left of the hand-over queue.</summary>
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        try
        {
            await _drained.Task.WaitAsync(_closeTimeout + DrainMargin);
        }
        catch (TimeoutException)
        {
            DeviceListenerLog.NotDrained(_logger, Volatile.Read(ref _running));
        }

        while (_toKestrel.Reader.TryRead(out var socket))
        {
            socket.Dispose();
            _budget.Release();
        }

        // _stopping stays undisposed: a session that outlived the wait above may still register on its token.
        _contexts.Dispose();
    }

    /// <summary>Queues a socket for Kestrel; once Kestrel no longer takes any (stopping), closes it instead.</summary>
    private void HandOver(Socket socket)
    {
        if (!_toKestrel.Writer.TryWrite(socket))
        {
            socket.Dispose();
            _budget.Release();
        }
    }

    /// <summary>
    /// One accepted socket on the direct path until it is decided; what nothing below expected is logged, as Kestrel
    /// would. A device session outlives this method and gives its socket back itself (<see cref="SessionEnded"/>).
    /// </summary>
    private async Task RunDeviceAsync(Socket socket)
    {
        var outcome = DirectOutcome.Dropped;
        try
        {
            outcome = await _direct.RunAsync(socket, _handOver, _decided, _sessionEnded, _stopping.Token);
        }
        catch (Exception e)
        {
            DeviceListenerLog.Failed(_logger, e);
        }
        finally
        {
            // A socket handed to Kestrel stays counted until Kestrel closes it; a session's end releases its own.
            if (outcome == DirectOutcome.Dropped)
            {
                _budget.Release();
            }

            if (outcome != DirectOutcome.Session)
            {
                Finished();
            }
        }
    }

    /// <summary>A direct session has ended and closed its socket.</summary>
    private void SessionEnded(Exception? failure)
    {
        if (failure is not null)
        {
            DeviceListenerLog.Failed(_logger, failure);
        }

        _budget.Release();
        Finished();
    }

    private async Task RefuseAsync(Socket socket)
    {
        try
        {
            await BusyAnswer.SendAsync(socket, _stopping.Token);
        }
        finally
        {
            _budget.Release();
            Finished();
        }
    }

    private void Finished()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _drained.TrySetResult();
        }
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (true)
        {
            if (!_budget.DeviceListenerHasRoom)
            {
                // Every socket the budget allows is open: leave new ones in the backlog until one closes.
                try
                {
                    await Task.Delay(AcceptRetryPause, _stopping.Token);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

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
                // A connection reset before it was accepted, or (files opened outside the budget) no descriptor left for it.
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    DeviceListenerLog.OutOfDescriptors(_logger, e.SocketErrorCode, _budget.Open, _budget.Capacity);
                }
                else
                {
                    DeviceListenerLog.AcceptFailed(_logger, e.SocketErrorCode);
                }

                await Task.Delay(AcceptRetryPause);
                continue;
            }

            if (!_budget.TryTakeDevice())
            {
                if (_budget.TryTakeRefusal())
                {
                    Interlocked.Increment(ref _running);
                    _ = RefuseAsync(socket);
                }
                else
                {
                    socket.Dispose();
                }

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
                _budget.Release();
                continue;
            }

            if (Interlocked.Increment(ref _undecided) > MaxUndecided)
            {
                _decided();
                _handOver(socket);
                continue;
            }

            Interlocked.Increment(ref _running);
            _ = RunDeviceAsync(socket);
        }

        _toKestrel.Writer.TryComplete();
        Finished();
    }
}

internal static partial class DeviceListenerLog
{
    [LoggerMessage(1, LogLevel.Debug, "A device connection failed before it was accepted: {Error}")]
    public static partial void AcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(2, LogLevel.Error, "A device connection ended with an unexpected error.")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "The device listener could not accept a connection: {Error}, with {Open} of {Capacity} counted sockets open. Something outside the socket budget holds descriptors; raise the open-file limit.")]
    public static partial void OutOfDescriptors(ILogger logger, SocketError error, int open, int capacity);

    [LoggerMessage(4, LogLevel.Warning, "{Running} device connections were still open when the device listener stopped waiting for them.")]
    public static partial void NotDrained(ILogger logger, int running);
}
