using System.Net.WebSockets;

namespace Situk.Broker.Sockets;

/// <summary>What one inbound WebSocket message turned out to be.</summary>
internal enum InboundKind
{
    /// <summary>A complete text message within the size limit, in <see cref="MessageReader.Message"/>.</summary>
    Text,

    /// <summary>A binary message (refused by both of the broker's protocols).</summary>
    Binary,

    /// <summary>A message larger than the limit; its rest was not read.</summary>
    TooBig,

    /// <summary>The peer sent a close frame.</summary>
    Close,
}

/// <summary>
/// Reads whole messages from a WebSocket into one reusable buffer of the size limit, so an inbound
/// message never allocates and never grows past the limit. Not thread-safe: one per receive loop.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int maxBytes)
{
    private readonly byte[] _buffer = new byte[maxBytes];
    private int _length;

    /// <summary>The last <see cref="InboundKind.Text"/> message; valid until the next read.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

    public async ValueTask<InboundKind> ReadAsync(CancellationToken cancellationToken)
    {
        _length = 0;
        while (true)
        {
            if (_length == _buffer.Length)
            {
                return InboundKind.TooBig;
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(_length), cancellationToken);
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
}
