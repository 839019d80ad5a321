using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Transport;

[Description("A socket on the direct upgrade path is closed whatever ends its handling, an error nothing expected included.")]
public sealed class DirectUpgradeLifetimeTests
{
    [Test]
    public async Task A_socket_whose_handling_fails_unexpectedly_is_closed_not_left_open()
    {
        using var cts = Timeouts.Generous();
        var time = new FailingTimers();
        await using var broker = await BrokerFixture.StartAsync(customize: b => b.Services.AddSingleton<TimeProvider>(time), cancellationToken: cts.Token);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        time.Failing = true;
        try
        {
            await socket.ConnectAsync(broker.DeviceEndPoint, cts.Token);

            // The direct path's handshake deadline is the first timer it asks for: that fails, and nothing
            // below expects an InvalidOperationException. The socket must still be closed (end of stream).
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(TimeSpan.FromSeconds(3));
            int read;
            try
            {
                read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, wait.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                read = 0;
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                read = -1;
            }

            Assert.That(read, Is.Zero, "the broker closed the socket (-1: still open 3 s later)");
        }
        finally
        {
            time.Failing = false;
        }
    }

    [Test]
    [Description("A direct session runs on after its upgrade returns (nothing of the upgrade's waits with an idle device): when it "
        + "fails unexpectedly it still closes its socket at once and gives back its connection slot and its descriptor.")]
    public async Task A_session_that_fails_unexpectedly_closes_its_socket_and_gives_back_its_slot_and_descriptor()
    {
        using var cts = Timeouts.Generous();
        var time = new FailingTimers();
        await using var broker = await BrokerFixture.StartAsync(
            new Dictionary<string, string?> { ["Situk:Broker:MaxConnections"] = "1" },
            customize: b => b.Services.AddSingleton<TimeProvider>(time),
            cancellationToken: cts.Token);
        var budget = broker.Service<Situk.Broker.Limits.SocketBudget>();
        var openBefore = budget.Open;
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("failing", cancellationToken: cts.Token);
        Assert.That(budget.Open, Is.EqualTo(openBefore + 1), "the device's socket is counted");

        time.Failing = true;
        bool ended;
        try
        {
            // The session answers a device's close by asking for its abort timer: that fails, and nothing expects it.
            await device.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            ended = await EndsWithinAsync(device, TimeSpan.FromSeconds(2), cts.Token);
        }
        finally
        {
            time.Failing = false;
            device.Dispose();
        }

        // Well inside the 5 s close timeout: the session's end, not a timer, closed it.
        Assert.That(ended, Is.True, "the broker closed the socket within 2 s");
        await AdminCalls.EventuallyAsync(
            () => Task.FromResult(broker.Service<Situk.Broker.Limits.ConnectionGate>().Open == 0 && budget.Open == openBefore), cts.Token);
        Assert.That(
            await broker.TryConnectDeviceAsync(bearerToken: broker.Tokens.Issue("next"), cancellationToken: cts.Token),
            Is.EqualTo(HttpStatusCode.SwitchingProtocols),
            "the one slot is free again");
    }

    /// <summary>True when the socket ends (the broker's close, a reset or end of stream) within <paramref name="bound"/>.</summary>
    private static async Task<bool> EndsWithinAsync(WebSocket socket, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(bound);
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, wait.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The system clock, whose timers fail while <see cref="Failing"/>: a fault nothing on the direct path expects.</summary>
    private sealed class FailingTimers : TimeProvider
    {
        public volatile bool Failing;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Failing ? throw new InvalidOperationException("Timers fail in this test.") : System.CreateTimer(callback, state, dueTime, period);
    }
}
