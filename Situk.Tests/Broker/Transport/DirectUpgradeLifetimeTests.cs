using System.Net;
using System.Net.Sockets;
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

    /// <summary>The system clock, whose timers fail while <see cref="Failing"/>: a fault nothing on the direct path expects.</summary>
    private sealed class FailingTimers : TimeProvider
    {
        public volatile bool Failing;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Failing ? throw new InvalidOperationException("Timers fail in this test.") : System.CreateTimer(callback, state, dueTime, period);
    }
}
