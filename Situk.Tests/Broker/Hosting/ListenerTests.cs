using System.Net;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Hosting;

[Description("Two listeners: devices on one, internal socket and management on the other; health on both.")]
public sealed class ListenerTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Health_answers_on_both_listeners()
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        using var device = await http.GetAsync(new Uri(_broker.DeviceHttp, "healthz"), cts.Token);
        using var @internal = await http.GetAsync(new Uri(_broker.InternalHttp, "healthz"), cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(device.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(@internal.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase("admin/stats")]
    [TestCase("admin/sessions")]
    [TestCase("metrics")]
    [TestCase("internal")]
    public async Task Internal_routes_do_not_exist_on_the_device_listener(string path)
    {
        using var cts = Timeouts.Generous();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", _broker.AdminKey);
        using var response = await http.GetAsync(new Uri(_broker.DeviceHttp, path), cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Device_socket_does_not_exist_on_the_internal_listener()
    {
        using var cts = Timeouts.Generous();
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _broker.Tokens.Issue("wrong-door"));
        Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{_broker.InternalEndPoint}/ws"), cts.Token));
        Assert.That(socket.HttpStatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
