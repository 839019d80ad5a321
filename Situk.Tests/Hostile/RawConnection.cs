using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Situk.Tests.Hostile;

/// <summary>
/// A plain TCP connection for what a well-behaved client library will not send: garbage instead of
/// HTTP, handshakes with broken headers, a request that stalls half-way, bytes that are no WebSocket frame.
/// </summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <param name="from">The local address to connect from (any of 127.0.0.0/8 on loopback), or the system's choice.</param>
    public static async Task<RawConnection> OpenAsync(IPEndPoint to, CancellationToken cancellationToken, IPAddress? from = null)
    {
        var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (from is not null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }

            await socket.ConnectAsync(to, cancellationToken);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads until the server closes the connection (or resets it); everything it sent.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer still ends the connection: what was read is the answer.
        }

        return all.ToArray();
    }

    /// <summary>Reads an HTTP response head (up to the blank line) and returns it; the rest stays unread.</summary>
    public async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fewer if the connection ends first.</summary>
    public async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var total = 0;
        try
        {
            while (total < count)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (IOException)
        {
            // Reset: return what arrived.
        }

        return buffer[..total];
    }

    /// <summary>The status code of an HTTP response head ("HTTP/1.1 400 Bad Request" → 400), or 0 if there was none.</summary>
    public static int StatusOf(string head) =>
        head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture, out var status)
            ? status
            : 0;

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
