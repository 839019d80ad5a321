using System.Buffers;
using System.Net.WebSockets;

namespace Situk.Broker.Sockets;

/// <summary>What one inbound WebSocket message turned out to be.</summary>
internal enum InboundKind
{
    /// <summary>A complete text message within the size limit, in <see cref="MessageReader.Message"/>.</summary>
    Text,

    /// <summary>A binary message (refused by both of the broker's protocols); its payload is skipped by the next read.</summary>
    Binary,

    /// <summary>A message larger than the limit; its rest is skipped by the next read.</summary>
    TooBig,

    /// <summary>The peer sent a close frame.</summary>
    Close,
}

/// <summary>
/// Reads whole messages from a WebSocket, never past the size limit. It waits for each message with a
/// zero-byte read and rents its buffer from the shared pool only while a message is being read and
/// handled, so an idle session holds no receive buffer (a broker holds thousands of idle sessions).
/// The buffer starts at <see cref="FirstBytes"/> and doubles only for a message that needs it: renting
/// the limit itself (1 MiB on the internal socket) for every small frame left a megabyte array cached
/// in the pool for every thread that ever read one.
/// Not thread-safe: one per receive loop; dispose it when the loop ends.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int maxBytes) : IDisposable
{
    /// <summary>The first buffer rented for a message: most frames of both protocols fit.</summary>
    public const int FirstBytes = 4096;

    private byte[]? _buffer;
    private int _length;

    /// <summary>The last message was reported before its end (binary, too big): its rest comes first on the socket.</summary>
    private bool _unfinished;

    /// <summary>The last <see cref="InboundKind.Text"/> message; valid until the next read.</summary>
    public ReadOnlyMemory<byte> Message => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);

    /// <summary>The next message, whole: <see cref="WaitAsync"/> and then <see cref="ReadAsync(ValueWebSocketReceiveResult, CancellationToken)"/>.</summary>
    public async ValueTask<InboundKind> ReadAsync(CancellationToken cancellationToken)
        => await ReadAsync(await WaitAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Waits for the next message to begin (a zero-byte read), after giving back the last one's buffer. The wait is
    /// the socket's own, not an async method of this reader's: a device session that is idle for hours waits here,
    /// and every async method it waits in stays alive with it (docs/broker.md, memory per device).
    /// </summary>
    public ValueTask<ValueWebSocketReceiveResult> WaitAsync(CancellationToken cancellationToken)
    {
        Release();
        return _unfinished ? SkipRestThenWaitAsync(cancellationToken) : socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
    }

    /// <summary>Reads the message whose start <see cref="WaitAsync"/> returned; its payload is mostly buffered already.</summary>
    public async ValueTask<InboundKind> ReadAsync(ValueWebSocketReceiveResult first, CancellationToken cancellationToken)
    {
        switch (first.MessageType)
        {
            case WebSocketMessageType.Close:
                return InboundKind.Close;
            case WebSocketMessageType.Binary:
                // Reported at once, so the caller can close without waiting for the payload. A zero-byte
                // read does not consume it: left there, every later read would see this message again and
                // the peer's answer to the close would never be read (the socket then waited CloseTimeout).
                _unfinished = !first.EndOfMessage;
                return InboundKind.Binary;
        }

        if (first.EndOfMessage)
        {
            return InboundKind.Text; // an empty text message
        }

        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, FirstBytes));
        while (true)
        {
            if (_length == maxBytes)
            {
                _unfinished = true;
                return InboundKind.TooBig;
            }

            if (_length == _buffer.Length)
            {
                Grow();
            }

            var room = Math.Min(_buffer.Length, maxBytes) - _length;
            var result = await socket.ReceiveAsync(_buffer.AsMemory(_length, room), cancellationToken);
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return InboundKind.Close;
                case WebSocketMessageType.Binary:
                    return InboundKind.Binary;
            }

            _length += result.Count;
            if (result.EndOfMessage)
            {
                return InboundKind.Text;
            }
        }
    }

    public void Dispose() => Release();

    /// <summary>Drops the rest of the unfinished message, then waits for the next one (or returns the close that came instead).</summary>
    private async ValueTask<ValueWebSocketReceiveResult> SkipRestThenWaitAsync(CancellationToken cancellationToken)
        => await SkipRestAsync(cancellationToken)
            ? new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true)
            : await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);

    /// <summary>Reads and drops the rest of the unfinished message; true when a close frame came instead.</summary>
    private async ValueTask<bool> SkipRestAsync(CancellationToken cancellationToken)
    {
        _unfinished = false;
        var scratch = ArrayPool<byte>.Shared.Rent(FirstBytes);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(scratch.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }

                if (result.EndOfMessage)
                {
                    return false;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, _buffer!.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private void Release()
    {
        _length = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
