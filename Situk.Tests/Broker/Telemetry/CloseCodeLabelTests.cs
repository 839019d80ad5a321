using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Telemetry;

[Description("The close code a device chooses must not become a new metric label value: each one would be a series kept for the life of the broker.")]
public sealed partial class CloseCodeLabelTests
{
    private static readonly string[] FixedLabels =
        ["1000", "1001", "1002", "1005", "1006", "1007", "1008", "1009", "1013", "4001", "4003", "4004", "other"];

    [Test]
    public async Task Devices_closing_with_arbitrary_codes_add_no_label_value_to_the_closes_metric()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        int[] codes = [4999, 3123, 1000, 4321, 3999];
        for (var i = 0; i < codes.Length; i++)
        {
            var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("closer-" + i, cancellationToken: cts.Token);
            await device.CloseAsync((WebSocketCloseStatus)codes[i], "my own code", cts.Token);
            device.Dispose();
        }

        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cts.Token)).Connections == 0, cts.Token);
        using var admin = broker.CreateAdminClient();
        var text = await admin.GetStringAsync("metrics", cts.Token);
        var closes = PrometheusText.Parse(text)
            .Where(s => s.Key.StartsWith("situk_broker_closes", StringComparison.Ordinal) && !s.Key.Contains("_created", StringComparison.Ordinal))
            .ToDictionary(s => CodeLabel().Match(s.Key).Groups[1].Value, s => s.Value);

        Assert.Multiple(() =>
        {
            Assert.That(closes.Keys, Is.SubsetOf(FixedLabels), text);
            Assert.That(closes.Keys, Does.Not.Contain("4999").And.Not.Contain("3123"), text);
            Assert.That(closes.GetValueOrDefault("other"), Is.GreaterThanOrEqualTo(4), "the four undefined codes are counted, as other");
            Assert.That(closes.GetValueOrDefault("1000"), Is.GreaterThanOrEqualTo(1), "a defined code keeps its own label");
        });
    }

    [GeneratedRegex("code=\"([^\"]*)\"")]
    private static partial Regex CodeLabel();
}
