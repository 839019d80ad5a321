using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Admin;

[Description("GET /metrics: the Situk.Broker meter in Prometheus text format, via prometheus-net.")]
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_endpoint_is_scraped_and_parsed()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("measured", cancellationToken: cts.Token);
        await broker.PublishAsync(Audience.Users("measured"), "m", cts.Token);
        var notification = await device.ReceiveNotificationAsync(cts.Token);
        await device.SendFrameAsync(new AckFrame([notification.Id]), cts.Token);
        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cts.Token)).Acks == 1, cts.Token);
        await device.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cts.Token)).Connections == 0, cts.Token);

        using var admin = broker.CreateAdminClient();
        using var response = await admin.GetAsync("metrics", cts.Token);
        var text = await response.Content.ReadAsStringAsync(cts.Token);
        var samples = PrometheusText.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(samples.Keys, Has.Some.StartsWith("situk_broker_connections"), text);
            Assert.That(PrometheusText.Sum(samples, "situk_broker_frames_sent"), Is.GreaterThanOrEqualTo(2), text);
            Assert.That(PrometheusText.Sum(samples, "situk_broker_acks"), Is.EqualTo(1), text);
            Assert.That(samples.Keys, Has.Some.Contains("situk_broker_closes").And.Contains("code=\"1000\""), text);
            Assert.That(samples.Keys, Has.Some.StartsWith("situk_broker_publish_to_ack").And.Contains("_bucket"), text);
        });
        device.Dispose();
    }
}
