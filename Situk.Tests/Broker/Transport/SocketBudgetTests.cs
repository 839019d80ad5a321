using System.Net;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Transport;

[Description("Every socket the broker accepts counts against one budget under its open-file limit: at that limit a real "
    + "broker process answers devices 503, never lets accept() fail, and still accepts on its internal listener.")]
[NonParallelizable]
public sealed class SocketBudgetTests
{
    /// <summary>Small enough to fill in a test, large enough for the runtime's own files (about 200 in a Debug build).</summary>
    private const int OpenFileLimit = 800;

    private const int Devices = 250;

    [Test]
    public async Task Full_of_devices_and_flooded_with_idle_connections_the_broker_answers_503_and_keeps_its_internal_listener()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = ChildProcesses.Broker(
            new Dictionary<string, string> { ["Situk:Broker:MaxConnections"] = Devices.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            launcher: ["prlimit", $"--nofile={OpenFileLimit}:{OpenFileLimit}"]);
        await broker.Process.StartAsync(cts.Token);
        var devices = await ChildBrokerDevices.ConnectAsync(broker, "budget", Devices, cts.Token);
        var idle = await ChildBrokerDevices.OpenIdleAsync(broker, 3 * OpenFileLimit / 2, cts.Token);
        try
        {
            // Let the accept loop reach whatever it does with the flood.
            await Task.Delay(TimeSpan.FromSeconds(2), cts.Token);

            var pastTheCap = await ChildBrokerDevices.TryConnectAsync(broker, "one-too-many", TimeSpan.FromSeconds(10), cts.Token);
            using var link = await ChildBrokerDevices.TryConnectInternalAsync(broker, TimeSpan.FromSeconds(5), cts.Token);
            using var admin = broker.CreateAdminClient();
            admin.Timeout = TimeSpan.FromSeconds(5);
            var stats = await admin.GetAsync("admin/stats", cts.Token);

            Assert.Multiple(() =>
            {
                Assert.That(pastTheCap, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a device past the cap is answered 503");
                Assert.That(link, Is.Not.Null, "the API's link still connects on the internal listener");
                Assert.That(stats.StatusCode, Is.EqualTo(HttpStatusCode.OK), "management still answers");
                Assert.That(broker.Process.Output, Has.None.Contains("could not accept"), "accept() never ran out of descriptors");
                Assert.That(broker.Process.IsRunning, Is.True);
            });
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }

            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }
}
