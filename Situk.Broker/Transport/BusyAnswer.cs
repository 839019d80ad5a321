using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Situk.Broker.Transport;

/// <summary>
/// The answer to a socket the device listener accepted from its <see cref="Limits.SocketBudget.RefusalRoom"/>
/// when every other socket of its budget is in use: a 503 problem, sent before the request is read. The
/// send side is then shut and what the client sent is read and dropped until it closes, for at most
/// <see cref="Linger"/>, so the kernel does not answer the unread request with a reset that would
/// discard the 503 on its way.
/// </summary>
internal static class BusyAnswer
{
    /// <summary>Longest a refused socket is kept open after its answer.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(250);

    private static readonly byte[] Response = Build();

    public static async Task SendAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        linger.CancelAfter(Linger);
        var scratch = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            await socket.SendAsync(Response, SocketFlags.None, linger.Token);
            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(scratch, SocketFlags.None, linger.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left, or lingered past the bound: either way the answer was given.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            socket.Dispose();
        }
    }

    private static byte[] Build()
    {
        const string Body = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"The broker is at its open-socket limit."}""";
        return Encoding.ASCII.GetBytes(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
            + $"Content-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}");
    }
}
