using System.Net.Sockets;

namespace Situk.Broker.Sockets;

/// <summary>
/// A direct device socket as the stream its <see cref="System.Net.WebSockets.WebSocket"/> reads and writes, and
/// the one gate every write to that socket passes: the session's <see cref="FrameWriter"/> writes whole,
/// ready-made data frames (<see cref="TextFrames"/>) past the WebSocket, and the WebSocket writes its own
/// control frames (ping, pong, close) through <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.
/// Each writer holds the gate for one whole frame (the WebSocket writes each frame with one call), so no frame
/// is ever written inside another. Once a close frame has gone out no data frame follows it.
/// <para>
/// <see cref="TrySendNow"/> writes as much as the kernel takes at once, so a
/// delivery to an idle session costs one <c>send()</c> (<see cref="NonBlockingSend"/>) on the caller's thread, no task and no thread hop.
/// Only what the kernel did not take waits (<see cref="SendAsync"/>). Reads and writes are asynchronous only,
/// which is all the WebSocket uses. The gate allocates only when two writers meet (a ping during a burst).
/// </para>
/// </summary>
internal sealed class SocketWire : Stream
{
    /// <summary>FIN + opcode 8: the first byte of every close frame.</summary>
    private const byte CloseFrame = 0x88;

    private readonly Socket _socket;
    private readonly Lock _gate = new();
    private bool _busy;
    private bool _closeWritten;
    private Queue<TaskCompletionSource>? _waiting;

    /// <summary><see cref="Environment.TickCount64"/> when the WebSocket last asked for bytes: see <see cref="LastReadAt"/>.</summary>
    private long _lastReadAt = Environment.TickCount64;

    public SocketWire(Socket socket) => _socket = socket;

    /// <summary>
    /// When the WebSocket last asked for bytes (<see cref="Environment.TickCount64"/>, ms). It asks again only once
    /// it has handled what the last read brought, a pong among them (which it handles itself and never reports), so a
    /// value later than a ping's is the peer's answer: what <c>Sessions/HeartbeatSweep</c> goes by. Stamped when the read
    /// is asked for, not when it completes, so that an idle device's read waits in no method of this stream's.
    /// </summary>
    public long LastReadAt => Volatile.Read(ref _lastReadAt);

    /// <summary>A close frame went out: no data frame may follow it.</summary>
    public bool CloseWritten
    {
        get
        {
            lock (_gate)
            {
                return _closeWritten;
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Takes the gate for a data frame if nobody holds it and no close frame went out; the caller then <see cref="Exit"/>s.</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_busy || _closeWritten)
            {
                return false;
            }

            _busy = true;
            return true;
        }
    }

    /// <summary>Waits for the gate (writers take it in turn); false, gate not held, once a close frame went out.</summary>
    public async ValueTask<bool> EnterForDataAsync()
    {
        await EnterAsync();
        lock (_gate)
        {
            if (!_closeWritten)
            {
                return true;
            }
        }

        Exit();
        return false;
    }

    /// <summary>Gives the gate to the next waiting writer, or frees it.</summary>
    public void Exit()
    {
        TaskCompletionSource? next = null;
        lock (_gate)
        {
            if (_waiting is { Count: > 0 } waiting)
            {
                next = waiting.Dequeue(); // the gate passes on held
            }
            else
            {
                _busy = false;
            }
        }

        next?.SetResult();
    }

    /// <summary>Writes what the kernel takes now, without waiting; the bytes written (0 when its buffer is full). Gate held.</summary>
    public int TrySendNow(ReadOnlySpan<byte> bytes)
    {
        return NonBlockingSend.Send(_socket.SafeHandle, bytes);
    }

    /// <summary>Writes all of <paramref name="bytes"/>, waiting while the kernel's buffer is full. Gate held.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
            }
        }
        catch (SocketException e)
        {
            // As NetworkStream reports it: the writers above handle I/O failures, not socket errors.
            throw new IOException("The device socket failed: " + e.Message, e);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _lastReadAt, Environment.TickCount64);
        return _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The WebSocket's own frames (ping, pong, close): one whole frame per call, written in turn with the data frames.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!TryEnterAny())
        {
            return WriteWhenFreeAsync(buffer, cancellationToken);
        }

        int sent;
        try
        {
            MarkClose(buffer.Span);
            sent = TrySendNow(buffer.Span);
        }
        catch
        {
            Exit();
            throw;
        }

        if (sent == buffer.Length)
        {
            Exit();
            return ValueTask.CompletedTask;
        }

        return WriteRestAsync(buffer[sent..], cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
        // Nothing is buffered here: every write goes to the socket.
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A device socket is read asynchronously only.");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A device socket is written asynchronously only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool TryEnterAny()
    {
        lock (_gate)
        {
            if (_busy)
            {
                return false;
            }

            _busy = true;
            return true;
        }
    }

    private ValueTask EnterAsync()
    {
        TaskCompletionSource turn;
        lock (_gate)
        {
            if (!_busy)
            {
                _busy = true;
                return ValueTask.CompletedTask;
            }

            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiting ??= new Queue<TaskCompletionSource>(2)).Enqueue(turn);
        }

        return new ValueTask(turn.Task);
    }

    private void MarkClose(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > 0 && frame[0] == CloseFrame)
        {
            lock (_gate)
            {
                _closeWritten = true;
            }
        }
    }

    private async ValueTask WriteWhenFreeAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await EnterAsync();
        try
        {
            MarkClose(buffer.Span);
            await SendAsync(buffer, cancellationToken);
        }
        finally
        {
            Exit();
        }
    }

    private async ValueTask WriteRestAsync(ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(rest, cancellationToken);
        }
        finally
        {
            Exit();
        }
    }
}
