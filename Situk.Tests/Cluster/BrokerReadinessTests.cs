using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

[Description("GET /readyz on a broker: ready alone, ready in a cluster while its NATS connection is open, 503 with the reason "
    + "as soon as NATS is gone and ready again once it is back, on both listeners.")]
[NonParallelizable]
public sealed class BrokerReadinessTests
{
    [Test]
    [CancelAfter(30_000)]
    [Description("A broker without NATS has nothing else to wait for: ready once it serves.")]
    public async Task A_broker_alone_is_ready_once_it_serves(CancellationToken ct)
    {
        await using var broker = await BrokerFixture.StartAsync(cancellationToken: ct);
        using var http = new HttpClient();

        foreach (var listener in new[] { broker.DeviceHttp, broker.InternalHttp })
        {
            var (status, body) = await ReadyzAsync(http, listener, ct);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ready"));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("nats-server killed: the broker's /readyz says 503 \"not connected to NATS\" within 2 s, well inside a ping timeout; "
        + "started again: ready within 5 s (reconnect waits at most 1 s and its jitter).")]
    public async Task A_broker_cut_off_from_nats_is_not_ready_within_seconds_and_ready_again_once_it_is_back(CancellationToken ct)
    {
        await using var nats = await NatsServer.StartAsync(ct);
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Nats:Url"] = nats.Url,
            ["Situk:Nats:Name"] = "broker-readiness",
            ["Situk:Cluster:Rebalance:Enabled"] = "false",
        }, cancellationToken: ct);
        using var http = new HttpClient();
        Assert.That(await WaitForAsync(http, broker.InternalHttp, HttpStatusCode.OK, TimeSpan.FromSeconds(10), ct), Is.Not.Null, "never ready with NATS up");

        await nats.KillAsync(ct);
        var down = await WaitForAsync(http, broker.InternalHttp, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(2), ct);
        Assert.That(down, Is.Not.Null, "still ready 2 s after nats-server was killed");
        Assert.That(down!.Value.GetProperty("reason").GetString(), Does.StartWith("not connected to NATS"));
        var (deviceStatus, _) = await ReadyzAsync(http, broker.DeviceHttp, ct);
        Assert.That(deviceStatus, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "the device listener says the same");

        await nats.StartAgainAsync(ct);
        Assert.That(await WaitForAsync(http, broker.InternalHttp, HttpStatusCode.OK, TimeSpan.FromSeconds(5), ct), Is.Not.Null, "not ready 5 s after nats-server came back");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(HttpClient http, Uri listener, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(listener, "readyz"), ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
    }

    /// <summary>The body of the first answer with <paramref name="status"/> within <paramref name="bound"/>, polling every 50 ms; null if none came.</summary>
    private static async Task<JsonElement?> WaitForAsync(HttpClient http, Uri listener, HttpStatusCode status, TimeSpan bound, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            var (now, body) = await ReadyzAsync(http, listener, ct);
            if (now == status)
            {
                return body;
            }

            await Task.Delay(50, ct);
        }

        return null;
    }
}
