using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Devices;

[Description("The situk.v1 device protocol: welcome first, acks only, and a defined close code for every breach.")]
public sealed class DeviceProtocolTests
{
    /// <summary>A breach is answered in milliseconds; far below <c>CloseTimeoutSeconds</c> (5 s), above a busy machine's stalls.</summary>
    private static readonly TimeSpan PromptClose = TimeSpan.FromSeconds(1);

    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task Welcome_frame_comes_first_and_names_the_session_user_and_heartbeat()
    {
        using var cts = Timeouts.Generous();
        var (socket, welcome) = await _broker.ConnectDeviceWithWelcomeAsync("welcome-user", cancellationToken: cts.Token);
        using (socket)
        {
            Assert.Multiple(() =>
            {
                Assert.That(welcome.UserId, Is.EqualTo("welcome-user"));
                Assert.That(welcome.SessionId, Is.Not.Empty);
                Assert.That(welcome.HeartbeatSeconds, Is.EqualTo(25));
            });
        }
    }

    [Test]
    public async Task Unknown_frame_type_is_closed_with_1008()
    {
        Assert.That(await CloseAfterSendingAsync("""{"type":"subscribe","topic":"x"}"""), Is.EqualTo(CloseCodes.PolicyViolation));
    }

    [Test]
    public async Task Frame_of_a_server_only_type_is_closed_with_1008()
    {
        Assert.That(await CloseAfterSendingAsync("""{"type":"welcome","sessionId":"s","userId":"u","heartbeatSeconds":1}"""), Is.EqualTo(CloseCodes.PolicyViolation));
    }

    [Test]
    public async Task Malformed_json_is_closed_with_1008()
    {
        Assert.That(await CloseAfterSendingAsync("""{"type":"ack","ids":[1,2"""), Is.EqualTo(CloseCodes.PolicyViolation));
    }

    [Test]
    public async Task Ack_with_more_ids_than_allowed_is_closed_with_1008()
    {
        var ids = string.Join(',', Enumerable.Range(1, 257));
        Assert.That(await CloseAfterSendingAsync($$"""{"type":"ack","ids":[{{ids}}]}"""), Is.EqualTo(CloseCodes.PolicyViolation));
    }

    [Test]
    [Description("Promptly on both upgrade paths: a binary frame left unread kept the close handshake from finishing until CloseTimeoutSeconds (5 s).")]
    public async Task Binary_frame_is_closed_with_1008([Values] bool direct)
    {
        using var cts = Timeouts.Generous();
        await using var httpBroker = direct ? null : await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:DirectUpgrade"] = "false" });
        var (socket, _) = await (httpBroker ?? _broker).ConnectDeviceWithWelcomeAsync("binary-user", cancellationToken: cts.Token);
        using (socket)
        {
            var sent = Stopwatch.StartNew();
            await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, cts.Token);
            Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
            Assert.That(sent.Elapsed, Is.LessThan(PromptClose), "a close is prompt, not a timeout");
        }
    }

    [Test]
    public async Task Text_frame_with_invalid_utf8_is_closed_with_1007()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("utf8-user", cancellationToken: cts.Token);
        using (socket)
        {
            byte[] invalid = [(byte)'{', 0xC3, 0x28, (byte)'}'];
            await socket.SendAsync(invalid, WebSocketMessageType.Text, true, cts.Token);

            // The socket layer writes the 1007 close frame and drops the connection at once, so the
            // frame can be lost with the connection (the device then sees an abnormal end, 1006);
            // either way the broker ended the session as 1007 and says so in its metrics.
            Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.InvalidPayload).Or.EqualTo(1006));
        }

        using var admin = _broker.CreateAdminClient();
        await AdminCalls.EventuallyAsync(
            async () => (await admin.GetStringAsync("metrics", cts.Token)).Contains("code=\"1007\"", StringComparison.Ordinal),
            cts.Token);
    }

    [Test]
    public async Task Frame_over_4_KiB_is_closed_with_1009()
    {
        var padding = new string('x', 4100);
        Assert.That(await CloseAfterSendingAsync($$"""{"type":"ack","ids":[1],"pad":"{{padding}}"}"""), Is.EqualTo(CloseCodes.MessageTooBig));
    }

    [Test]
    public async Task Valid_acks_keep_the_session_open()
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("ack-user", cancellationToken: cts.Token);
        using (socket)
        {
            await socket.SendFrameAsync(new AckFrame([1, 2, 3]), cts.Token);
            using var admin = _broker.CreateAdminClient();
            var request = new AdminPublishRequest(Audience.Users("ack-user"), new AdminNotification(NotificationKinds.AdminMessage, "still there?", "yes"));
            using var response = await admin.PostAsJsonAsync("admin/publish", request, SitukJson.Default.AdminPublishRequest, cts.Token);
            var notification = await socket.ReceiveNotificationAsync(cts.Token);
            Assert.Multiple(() =>
            {
                Assert.That(notification.Title, Is.EqualTo("still there?"));
                Assert.That(notification.Id, Is.Negative, "admin publishes are ephemeral and get negative ids");
            });
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            Assert.That(socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
        }
    }

    private async Task<int> CloseAfterSendingAsync(string text)
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("protocol-user", cancellationToken: cts.Token);
        using (socket)
        {
            var sent = Stopwatch.StartNew();
            await socket.SendTextAsync(text, cts.Token);
            var code = await socket.ReceiveCloseAsync(cts.Token);
            Assert.That(sent.Elapsed, Is.LessThan(PromptClose), "a close is prompt, not a timeout");
            return code;
        }
    }
}
