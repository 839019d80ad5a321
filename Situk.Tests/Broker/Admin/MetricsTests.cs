using System.Globalization;
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
        var samples = Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(samples.Keys, Has.Some.StartsWith("situk_broker_connections"), text);
            Assert.That(Sum(samples, "situk_broker_frames_sent"), Is.GreaterThanOrEqualTo(2), text);
            Assert.That(Sum(samples, "situk_broker_acks"), Is.EqualTo(1), text);
            Assert.That(samples.Keys, Has.Some.Contains("situk_broker_closes").And.Contains("code=\"1000\""), text);
            Assert.That(samples.Keys, Has.Some.StartsWith("situk_broker_publish_to_ack").And.Contains("_bucket"), text);
        });
        device.Dispose();
    }

    /// <summary>Every sample line (<c>name{labels} value</c>) of the text format; throws on a line that does not parse.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    private static double Sum(Dictionary<string, double> samples, string prefix) =>
        samples.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal) && !s.Key.Contains("_created", StringComparison.Ordinal)).Sum(s => s.Value);
}
