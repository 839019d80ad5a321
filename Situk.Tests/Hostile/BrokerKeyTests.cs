using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Situk.Broker.Options;
using Situk.Tests.Broker;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("The broker's internal socket and management endpoints take only their own key, exactly, in the Authorization header, "
    + "and by default listen on loopback alone.")]
public sealed class BrokerKeyTests
{
    [Test]
    [Description("Near misses and the other part's key: each is 401 problem+json, never a session, a link or an answer.")]
    public async Task Keys_that_are_almost_right_or_meant_for_the_other_door_are_refused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var broker = await BrokerFixture.StartAsync();
        string[] adminMisses =
        [
            broker.AdminKey.ToUpperInvariant(), broker.AdminKey + "x", broker.AdminKey[..^1], " " + broker.AdminKey + "\t\u0001", broker.InternalKey,
            broker.Tokens.Issue("admin-impostor", Situk.Contracts.Roles.Admin),
        ];
        foreach (var key in adminMisses)
        {
            using var admin = broker.CreateAdminClient(key);
            await ProblemAssert.IsProblemAsync(await admin.GetAsync("admin/sessions", cts.Token), HttpStatusCode.Unauthorized);
        }

        using (var basic = broker.CreateAdminClient(""))
        {
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + broker.AdminKey)));
            await ProblemAssert.IsProblemAsync(await basic.GetAsync("admin/stats", cts.Token), HttpStatusCode.Unauthorized);
            await ProblemAssert.IsProblemAsync(await basic.GetAsync("metrics?access_token=" + broker.AdminKey, cts.Token), HttpStatusCode.Unauthorized);
        }

        string[] internalMisses = [broker.AdminKey, broker.InternalKey.ToUpperInvariant(), broker.InternalKey + "x", broker.Tokens.Issue("api-impostor", Situk.Contracts.Roles.Admin)];
        foreach (var key in internalMisses)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
            Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(broker.InternalUri, cts.Token));
            Assert.That(socket.HttpStatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var query = new ClientWebSocket())
        {
            query.Options.CollectHttpResponseDetails = true;
            Assert.ThrowsAsync<WebSocketException>(() => query.ConnectAsync(new Uri(broker.InternalUri + "?access_token=" + broker.InternalKey), cts.Token));
            Assert.That(query.HttpStatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the internal key is taken from the header only");
        }

        Assert.That(await broker.SessionsAsync(null, cts.Token), Is.Empty);
    }

    [Test]
    public void The_default_internal_listener_and_the_api_s_broker_urls_are_loopback()
    {
        var defaults = new BrokerOptions();
        Assert.That(ListenUrl.TryParse(defaults.InternalUrl, out var endPoint), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(IPAddress.IsLoopback(endPoint!.Address), Is.True, defaults.InternalUrl);
            Assert.That(new Uri(new Situk.Api.Relay.RelayOptions().BrokerInternalUrl).IsLoopback, Is.True);
            Assert.That(new Uri(new Situk.Api.Hosting.ApiOptions().BrokerAdminUrl).IsLoopback, Is.True);
        });
    }

    [Test]
    [Description("Bound with the default hosts (ephemeral ports): the device listener answers on the machine's other address, the internal one refuses it.")]
    public async Task With_the_default_hosts_the_internal_listener_is_unreachable_on_a_non_loopback_address()
    {
        var external = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (external is null)
        {
            Assert.Ignore("This machine has no non-loopback IPv4 address to try from.");
        }

        var defaults = new BrokerOptions();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:DeviceUrl"] = WithPortZero(defaults.DeviceUrl),
            ["Situk:Broker:InternalUrl"] = WithPortZero(defaults.InternalUrl),
        });
        var listeners = broker.Service<Situk.Broker.Hosting.BrokerListeners>();

        using (var device = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await device.ConnectAsync(new IPEndPoint(external, listeners.Device.Port));
            Assert.That(device.Connected, Is.True, "the address is reachable: the device listener answers on it");
        }

        using var @internal = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = Assert.ThrowsAsync<SocketException>(async () => await @internal.ConnectAsync(new IPEndPoint(external, listeners.Internal.Port)));
        Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }

    private static string WithPortZero(string url) => new UriBuilder(url) { Port = 0 }.Uri.ToString().TrimEnd('/');
}
