using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Hosting;

[Description("Graceful shutdown closes every session with 1001 so devices reconnect elsewhere.")]
public sealed class ShutdownTests
{
    [Test]
    public async Task Shutdown_closes_every_session_with_1001()
    {
        using var cts = Timeouts.Generous();
        var broker = await BrokerFixture.StartAsync();
        var sockets = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => broker.ConnectDeviceAsync("leaving-" + i, cancellationToken: cts.Token)));
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var closes = sockets.Select(s => s.ReceiveCloseAsync(cts.Token)).Append(link.ReceiveCloseAsync(cts.Token)).ToArray();

        await broker.DisposeAsync();

        Assert.That(await Task.WhenAll(closes), Has.All.EqualTo(CloseCodes.GoingAway));
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    [Test]
    [Description("What the API's relay tests rely on: the same URIs work again after a restart.")]
    public async Task Restarted_broker_listens_on_the_same_ports()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var before = (broker.DeviceUri, broker.InternalUri);

        await broker.RestartAsync(cts.Token);

        var (socket, welcome) = await broker.ConnectDeviceWithWelcomeAsync("after-restart", cancellationToken: cts.Token);
        using (socket)
        {
            Assert.Multiple(() =>
            {
                Assert.That((broker.DeviceUri, broker.InternalUri), Is.EqualTo(before));
                Assert.That(welcome.UserId, Is.EqualTo("after-restart"));
            });
        }
    }
}
