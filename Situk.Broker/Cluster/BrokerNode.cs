using System.Globalization;
using Situk.Broker.Options;

namespace Situk.Broker.Cluster;

/// <summary>
/// This broker's name (<c>Situk:Broker:NodeName</c>), fixed for the life of the process: it labels every
/// <c>/metrics</c> series, every session row and every stats row, and names the broker to the others in a cluster.
/// Default: host name and device port, e.g. <c>web-3:5080</c>; a device port of 0 (picked when bound, as in tests)
/// gets a random suffix instead, so two brokers in one host never share a name by default.
/// </summary>
/// <remarks>
/// Read from configuration, not from validated options: the metrics export needs the name while the host is still
/// starting, and the options' own validation (which checks <c>NodeName</c> too) must report first.
/// </remarks>
internal sealed class BrokerNode(IConfiguration configuration)
{
    public string Name { get; } = configuration[BrokerOptions.Section + ":NodeName"] is { Length: > 0 } name
        ? name
        : DefaultName(configuration[BrokerOptions.Section + ":DeviceUrl"] ?? new BrokerOptions().DeviceUrl);

    private static string DefaultName(string deviceUrl) =>
        ListenUrl.TryParse(deviceUrl, out var endPoint) && endPoint.Port != 0
            ? Environment.MachineName + ":" + endPoint.Port.ToString(CultureInfo.InvariantCulture)
            : Environment.MachineName + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
}
