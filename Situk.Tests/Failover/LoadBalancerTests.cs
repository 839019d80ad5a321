using System.Globalization;
using System.Net.Http.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Cluster;
using Situk.Tests.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Failover;

/// <summary>
/// eng/nginx/situk-brokers.conf in a real nginx in front of two brokers of a NATS cluster: a device given the
/// one proxy URL reaches a broker, receives, and when that broker stops is carried to the other by nginx.
/// </summary>
[NonParallelizable]
public sealed class LoadBalancerTests
{
    [Test]
    [CancelAfter(180_000)]
    [Description("Through nginx a device connects to one of two brokers and receives; after that broker stops (1001) it reconnects through nginx to the other and receives again.")]
    public async Task A_device_behind_nginx_receives_and_survives_its_broker_stopping(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        await using var nginx = await NginxServer.StartAsync([cluster.A.DeviceEndPoint.ToString(), cluster.B.DeviceEndPoint.ToString()], ct);
        var user = await RelayData.CreateUserAsync(cluster.Database);
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrl = nginx.DeviceUri,
            ApiUrl = cluster.Api.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult(cluster.A.Tokens.Issue(user.ToString(CultureInfo.InvariantCulture))),
            DeviceClass = DeviceClasses.Desktop,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, ct);
        var first = await RelayData.NotifyAsync(cluster.Database, user);
        Assert.That((await client.Notifications.ReadAsync(ct)).Id, Is.EqualTo(first[0]));

        var holder = await HoldsSessionAsync(cluster.A, user, ct) ? cluster.A : cluster.B;
        var other = holder == cluster.A ? cluster.B : cluster.A;
        await holder.StopAsync(ct);
        while (client.State != ClientState.Open || client.Connections < 2)
        {
            await Task.Delay(20, ct);
        }

        var second = await RelayData.NotifyAsync(cluster.Database, user);
        Assert.Multiple(async () =>
        {
            Assert.That((await client.Notifications.ReadAsync(ct)).Id, Is.EqualTo(second[0]));
            Assert.That(await HoldsSessionAsync(other, user, ct), Is.True, "the device is on the broker still running");
        });
    }

    private static async Task<bool> HoldsSessionAsync(BrokerFixture broker, long user, CancellationToken ct)
    {
        using var admin = broker.CreateAdminClient();
        var sessions = await admin.GetFromJsonAsync(new Uri(broker.InternalHttp, $"admin/sessions?userId={user}"), SitukJson.Default.SessionInfoArray, ct);
        return sessions!.Length > 0;
    }
}
