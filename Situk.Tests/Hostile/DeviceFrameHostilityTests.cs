using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("After the upgrade: bytes that are no WebSocket frame, JSON nested past the depth cap, the right frame type with the wrong "
    + "types inside. Each ends that one session with its defined code; the broker stays up and lean.")]
public sealed class DeviceFrameHostilityTests
{
    private BrokerFixture _broker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    /// <summary>Text messages (within 4 KiB, valid UTF-8) that are not an ack or read the broker can use: 1008 each.</summary>
    public static IEnumerable<TestCaseData> UnusableMessages()
    {
        var deep = new string('[', 1500) + new string(']', 1500);
        yield return new TestCaseData($$"""{"type":"ack","ids":[1],"x":{{deep}}}""").SetName("Nested 1500 deep beside the ids");
        yield return new TestCaseData($$"""{"type":"ack","ids":{{deep}}}""").SetName("Nested 1500 deep as the ids");
        yield return new TestCaseData(new string('{', 40) + new string('}', 40)).SetName("Objects 40 deep");
        yield return new TestCaseData("""{"type":"ack","ids":"1,2,3"}""").SetName("Ids as a string");
        yield return new TestCaseData("""{"type":"ack","ids":[1.5]}""").SetName("A fractional id");
        yield return new TestCaseData("""{"type":"ack","ids":[9223372036854775808]}""").SetName("An id past int64");
        yield return new TestCaseData("""{"type":"ack","ids":[true]}""").SetName("A boolean id");
        yield return new TestCaseData("""{"type":"ack","ids":{"0":1}}""").SetName("Ids as an object");
        yield return new TestCaseData("""{"type":"ack","ids":null}""").SetName("Null ids");
        yield return new TestCaseData("""{"type":"ack"}""").SetName("No ids");
        yield return new TestCaseData("""{"type":7,"ids":[1]}""").SetName("A numeric type");
        yield return new TestCaseData("""{"ids":[1]}""").SetName("No type");
        yield return new TestCaseData("""{"type":"ACK","ids":[1]}""").SetName("Type in the wrong case");
        yield return new TestCaseData("""{"type":"ack","ids":[1]} {"type":"ack","ids":[2]}""").SetName("Two objects in one message");
        yield return new TestCaseData("[]").SetName("An array");
        yield return new TestCaseData("null").SetName("Null");
        yield return new TestCaseData("\"ack\"").SetName("A string");
        yield return new TestCaseData("").SetName("An empty message");
        yield return new TestCaseData("{\"type\":\"ack\",\"ids\":[1]}\u0000").SetName("A trailing NUL");
        yield return new TestCaseData("{\"type\":\"a\u0000ck\",\"ids\":[1]}").SetName("A raw NUL in the type");
        yield return new TestCaseData("""{"type":"\ud800ack","ids":[1]}""").SetName("A lone surrogate escape in the type");
        yield return new TestCaseData("\u202E{\"type\":\"ack\",\"ids\":[1]}").SetName("An RTL override before the object");
    }

    [TestCaseSource(nameof(UnusableMessages))]
    public async Task An_unusable_text_message_is_closed_with_1008_and_the_broker_serves_on(string message)
    {
        using var cts = Timeouts.Generous();
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("hostile-json", cancellationToken: cts.Token);
        using (socket)
        {
            var sent = Stopwatch.StartNew();
            await socket.SendTextAsync(message, cts.Token);
            Assert.That(await socket.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation), socket.CloseStatusDescription);
            Assert.That(sent.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a close is prompt, not a timeout");
        }

        await AssertServesAsync(cts.Token);
    }

    [Test]
    [Description("Lenient where nothing is at stake: unknown properties are ignored and an id may come as a string of digits.")]
    public async Task An_ack_with_extra_properties_and_string_ids_is_still_an_ack()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await link.ReceiveInternalAsync<OnlineUsersFrame>(null, cts.Token);
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("lenient", cancellationToken: cts.Token);
        using (socket)
        {
            await socket.SendTextAsync("""{"ids":["41",42],"note":"\ud800 ignored","type":"ack"}""", cts.Token);

            var receipts = await link.ReceiveInternalAsync<ReceiptsFrame>(r => r.Items.Any(i => i.UserId == "lenient"), cts.Token);
            Assert.That(receipts.Items.Where(i => i.UserId == "lenient").Select(i => i.NotificationId), Is.EqualTo(new long[] { 41, 42 }));
            Assert.That(socket.State, Is.EqualTo(WebSocketState.Open));
        }
    }

    /// <summary>
    /// Bytes that break WebSocket framing itself are refused by the WebSocket layer under the broker's
    /// code: it answers 1002 (protocol error) and ends the connection.
    /// </summary>
    public static IEnumerable<TestCaseData> BrokenFraming()
    {
        var random = new Random(20260301);
        var noise = new byte[512];
        random.NextBytes(noise);
        noise[0] = 0x8F; // FIN with opcode 0xF: a reserved control opcode, whatever follows.
        yield return new TestCaseData(noise).SetName("Random bytes after the upgrade");
        yield return new TestCaseData(RawHandshake.Frame(1, """{"type":"ack","ids":[1]}"""u8.ToArray(), masked: false)).SetName("An unmasked client frame");
        yield return new TestCaseData(RawHandshake.Frame(3, [1, 2, 3])).SetName("A reserved data opcode");
        yield return new TestCaseData(RawHandshake.Frame(0, """{"type":"ack","ids":[1]}"""u8.ToArray())).SetName("A continuation with nothing to continue");
        yield return new TestCaseData(RawHandshake.Frame(9, new byte[200])).SetName("A ping over 125 bytes");
    }

    [TestCaseSource(nameof(BrokenFraming))]
    public async Task Bytes_that_are_no_websocket_frame_end_the_session_with_1002(byte[] bytes)
    {
        using var cts = Timeouts.Generous();
        await using (var raw = await RawHandshake.UpgradeAsync(_broker, "hostile-bytes", cts.Token))
        {
            var sent = Stopwatch.StartNew();
            await raw.SendAsync(bytes, cts.Token);
            Assert.That(await RawHandshake.ReadCloseCodeAsync(raw, cts.Token), Is.EqualTo(CloseCodes.ProtocolError));
            Assert.That(sent.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a close is prompt, not a timeout");
        }

        await AdminCalls.EventuallyAsync(async () => (await _broker.SessionsAsync("hostile-bytes", cts.Token)).Length == 0, cts.Token);
        using var admin = _broker.CreateAdminClient();
        Assert.That(await admin.GetStringAsync("metrics", cts.Token), Does.Contain("code=\"1002\""), "the broker records the session as ended by a protocol error");
        await AssertServesAsync(cts.Token);
    }

    [Test]
    [Description("A frame that declares an enormous length is cut off at MaxFrameBytes, not buffered: 1009 once 4 KiB have arrived.")]
    public async Task A_frame_declaring_exabytes_is_closed_with_1009_after_4_KiB()
    {
        using var cts = Timeouts.Generous();
        await using var raw = await RawHandshake.UpgradeAsync(_broker, "hostile-length", cts.Token);
        var frame = RawHandshake.Frame(1, Encoding.ASCII.GetBytes(new string(' ', 5000)), declaredLength: 1UL << 62);

        var sent = Stopwatch.StartNew();
        await raw.SendAsync(frame, cts.Token);

        Assert.That(await RawHandshake.ReadCloseCodeAsync(raw, cts.Token), Is.EqualTo(CloseCodes.MessageTooBig));
        Assert.That(sent.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a close is prompt, not a timeout");
    }

    [Test]
    [Description("Hundreds of hostile sessions one after the other leave no session, no gate slot and no heap behind.")]
    public async Task A_barrage_of_hostile_sessions_leaves_memory_and_counters_where_they_were()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await AssertServesAsync(cts.Token);
        var before = MemoryBound.Measure();
        var messages = UnusableMessages().Select(c => (string)c.Arguments[0]!).ToArray();
        var framing = BrokenFraming().Select(c => (byte[])c.Arguments[0]!).ToArray();

        for (var round = 0; round < 15; round++)
        {
            await Task.WhenAll(messages.Select(async message =>
            {
                var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync("barrage", cancellationToken: cts.Token);
                using (socket)
                {
                    await socket.SendTextAsync(message, cts.Token);
                    await socket.ReceiveCloseAsync(cts.Token);
                }
            }));
            await Task.WhenAll(framing.Select(async bytes =>
            {
                await using var raw = await RawHandshake.UpgradeAsync(_broker, "barrage", cts.Token);
                await raw.SendAsync(bytes, cts.Token);
                await RawHandshake.ReadCloseCodeAsync(raw, cts.Token);
            }));
        }

        await AdminCalls.EventuallyAsync(
            async () => (await _broker.StatsAsync(cts.Token)).Connections == 0 && _broker.Service<Situk.Broker.Limits.ConnectionGate>().Open == 0, cts.Token);
        MemoryBound.AssertGrowthBounded(before, $"{15 * (messages.Length + framing.Length)} hostile sessions");
        await AssertServesAsync(cts.Token);
    }

    /// <summary>A well-behaved device still connects, receives a publish and acks it.</summary>
    private async Task AssertServesAsync(CancellationToken cancellationToken)
    {
        var userId = "well-behaved-" + Guid.NewGuid().ToString("N")[..8];
        var (socket, _) = await _broker.ConnectDeviceWithWelcomeAsync(userId, cancellationToken: cancellationToken);
        using (socket)
        {
            Assert.That(await _broker.PublishAsync(Audience.Users(userId), "still serving", cancellationToken), Is.EqualTo(1));
            var notification = await socket.ReceiveNotificationAsync(cancellationToken);
            Assert.That(notification.Title, Is.EqualTo("still serving"));
            await socket.SendFrameAsync(new AckFrame([notification.Id]), cancellationToken);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
        }
    }
}
