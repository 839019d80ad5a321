using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Transport;

/// <summary>Device and internal clients for a broker child process (<see cref="ChildProcesses.Broker"/>).</summary>
internal static class ChildBrokerDevices
{
    private static readonly TestTokens Tokens = new();

    /// <summary>Opens <paramref name="count"/> device sockets, one user each, a few at a time.</summary>
    public static async Task<ClientWebSocket[]> ConnectAsync(BrokerProcess broker, string prefix, int count, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(32);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + Tokens.Issue($"{prefix}-{i}"));
                await socket.ConnectAsync(broker.DeviceUri, ct);
                return socket;
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>The HTTP status of one more device's upgrade; 0 when no answer came within <paramref name="wait"/>.</summary>
    public static async Task<HttpStatusCode> TryConnectAsync(BrokerProcess broker, string userId, TimeSpan wait, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Tokens.Issue(userId));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            await socket.ConnectAsync(broker.DeviceUri, timeout.Token);
            socket.Abort();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Refused (the status says how) or never answered (0).
        }

        return socket.HttpStatusCode;
    }

    /// <summary>Opens an API-style link on the internal listener; null when it could not within <paramref name="wait"/>.</summary>
    public static async Task<ClientWebSocket?> TryConnectInternalAsync(BrokerProcess broker, TimeSpan wait, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + BrokerFixture.DefaultInternalKey);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            await socket.ConnectAsync(broker.InternalUri, timeout.Token);
            return socket;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Plain TCP connections to the device listener that send nothing; the ones the kernel completed.</summary>
    public static async Task<List<Socket>> OpenIdleAsync(BrokerProcess broker, int count, CancellationToken ct)
    {
        var open = new List<Socket>();
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, broker.DevicePort), timeout.Token);
                lock (open)
                {
                    open.Add(socket);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                socket.Dispose(); // the backlog was full: the kernel did not complete it
            }
        }));
        return open;
    }
}
