using System.Net;
using System.Net.Sockets;

namespace Situk.Bench.Load;

/// <summary>
/// HTTP invokers whose sockets are bound to 127.0.0.1, 127.0.0.2, …: every loopback source address has
/// its own ephemeral ports, so tens of thousands of device sockets never exhaust the port range.
/// </summary>
internal sealed class SourceAddresses(int devicesPerAddress) : IDisposable
{
    private readonly Dictionary<int, HttpMessageInvoker> _invokers = [];

    public IPAddress AddressOf(int device) => new([127, 0, 0, (byte)(1 + (device / devicesPerAddress))]);

    public HttpMessageInvoker InvokerFor(int device)
    {
        var slot = device / devicesPerAddress;
        lock (_invokers)
        {
            if (!_invokers.TryGetValue(slot, out var invoker))
            {
                _invokers[slot] = invoker = Create(AddressOf(device));
            }

            return invoker;
        }
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values)
        {
            invoker.Dispose();
        }
    }

    private static HttpMessageInvoker Create(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
