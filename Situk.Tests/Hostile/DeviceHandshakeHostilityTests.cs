using System.Net;
using System.Text;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Before the upgrade: requests that are not a WebSocket handshake are 400 problem+json; bytes that are not HTTP get "
    + "Kestrel's own 400/431/505 and the connection is closed.")]
public sealed class DeviceHandshakeHostilityTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    public static IEnumerable<TestCaseData> NotAnUpgrade()
    {
        yield return new TestCaseData(new Dictionary<string, string?> { ["Upgrade"] = null, ["Connection"] = null }, "GET").SetName("No upgrade headers");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Upgrade"] = "h2c" }, "GET").SetName("Upgrade to another protocol");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = null }, "GET").SetName("No Sec-WebSocket-Key");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = "not base64 at all!" }, "GET").SetName("A key that is not base64");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = "c2hvcnQ=" }, "GET").SetName("A key of 5 bytes");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = Convert.ToBase64String(new byte[64]) }, "GET").SetName("A key of 64 bytes");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "8" }, "GET").SetName("An old protocol version");
        yield return new TestCaseData(new Dictionary<string, string?>(), "POST").SetName("A POST with upgrade headers");
    }

    [TestCaseSource(nameof(NotAnUpgrade))]
    public async Task A_request_that_is_not_a_valid_upgrade_is_400_problem_and_nothing_is_opened(Dictionary<string, string?> headers, string method)
    {
        using var cts = Timeouts.Generous();
        await using var raw = await RawConnection.OpenAsync(_broker.DeviceEndPoint, cts.Token);
        var request = RawHandshake.Request(_broker.DeviceEndPoint, _broker.Tokens.Issue("handshake"), headers, method);
        await raw.SendAsync(request.Replace("\r\n\r\n", "\r\nContent-Length: 0\r\n\r\n", StringComparison.Ordinal), cts.Token);

        var head = await raw.ReadHeadAsync(cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(RawConnection.StatusOf(head), Is.EqualTo(400), head);
            Assert.That(head, Does.Contain("Content-Type: application/problem+json"));
        });
        Assert.That(await _broker.SessionsAsync("handshake", cts.Token), Is.Empty);
    }

    [Test]
    [Description("The broker validates the API's tokens itself: every forged kind is 401 before any upgrade, in the header and in the query.")]
    public async Task Every_forged_token_is_refused_before_upgrade_in_the_header_and_the_query()
    {
        using var cts = Timeouts.Generous();
        var bad = ForgedTokens.All(
            _broker.Tokens.Issue("forger", Roles.Admin), "forger", Roles.Admin, TestTokens.DefaultSigningKey, _broker.Tokens.Expired("forger", Roles.Admin));

        foreach (var (name, token) in bad)
        {
            Assert.That(await _broker.TryConnectDeviceAsync(bearerToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized), name);
            Assert.That(await _broker.TryConnectDeviceAsync(queryToken: token, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized), name + " (query)");
        }

        Assert.That(await _broker.SessionsAsync(null, cts.Token), Is.Empty);
    }

    public static IEnumerable<TestCaseData> NotHttp()
    {
        var random = new Random(7);
        var noise = new byte[2048];
        random.NextBytes(noise);
        yield return new TestCaseData(noise, 400).SetName("Random bytes");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"), 400).SetName("A TLS client hello");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("GET /ws HTTP/9.9\r\nHost: x\r\n\r\n"), 505).SetName("An unknown HTTP version");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"), 400).SetName("A header line without a colon");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: x\r\nX-Pad: " + new string('a', 64 * 1024) + "\r\n\r\n"), 431).SetName("64 KiB of headers");
    }

    [TestCaseSource(nameof(NotHttp))]
    public async Task Bytes_that_are_not_http_get_an_http_error_and_the_connection_is_closed(byte[] bytes, int status)
    {
        using var cts = Timeouts.Generous();
        await using (var raw = await RawConnection.OpenAsync(_broker.DeviceEndPoint, cts.Token))
        {
            await raw.SendAsync(bytes, cts.Token);
            var answer = Encoding.ASCII.GetString(await raw.ReadToEndAsync(cts.Token));
            Assert.That(RawConnection.StatusOf(answer), Is.EqualTo(status), answer.Length > 200 ? answer[..200] : answer);
        }

        Assert.That(await _broker.TryConnectDeviceAsync(_broker.Tokens.Issue("after-garbage"), cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }
}
