using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

[Category("Faults")]
[NonParallelizable]
[Description(
    "A device that stops reading (raw socket, 4 KiB receive buffer, never reads after the handshake) while a thousand others " +
    "are published to, on a broker child process with a send queue of 4 frames, is sent high-priority frames (which are never " +
    "shed): it is dropped with 1013, and the thousand " +
    "receive every notification with a delay comparable to the same rounds without it (p99 within 5× + 500 ms: a bound " +
    "generous enough for a shared two-core machine, far below what a blocked fan-out would cost).")]
public sealed class SlowReaderTests
{
    private const int Others = 1000;
    private const int Rounds = 15;
    private const int MaxRounds = 200;

    // 256 KiB: a few of these fill the stalled device's socket buffers and then its queue.
    private static readonly string Big = new('x', 256 * 1024);

    [Test]
    public async Task Stalled_device_is_dropped_with_1013_and_a_thousand_others_keep_their_pace()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        await using var broker = ChildProcesses.Broker(new Dictionary<string, string>
        {
            ["Situk:Broker:QueueCapacity"] = "4",
            // The stalled device reads again only after the drop is seen: keep its socket until then,
            // and keep heartbeats out of the way of the close code.
            ["Situk:Broker:CloseTimeoutSeconds"] = "120",
            ["Situk:Broker:HeartbeatSeconds"] = "120",
            ["Situk:Broker:HeartbeatTimeoutSeconds"] = "120",
        });
        await broker.Process.StartAsync(ct);
        using var admin = broker.CreateAdminClient();
        var tokens = new TestTokens();
        await using var others = await MeasuredDevices.ConnectAsync(broker.DeviceUri, tokens, "other-", Roles.Asesor, Others, ct);
        await using var bigReader = await MeasuredDevices.ConnectAsync(broker.DeviceUri, tokens, "big-", Roles.Asesi, 1, ct);

        // Warm-up, so that phase A does not pay for the first publishes' start-up costs.
        for (var round = 0; round < 3; round++)
        {
            await PublishAsync(admin, Audience.ForRole(Roles.Asesor), $"W-{round}", "kecil", ct);
        }

        await others.WaitForAllAsync("W", 3, TimeSpan.FromSeconds(60), ct);

        // A: the same rounds, big frames to a device that reads them.
        for (var round = 0; round < Rounds; round++)
        {
            await PublishAsync(admin, Audience.Users("big-0"), $"big-{round}", Big, ct);
            await PublishAsync(admin, Audience.ForRole(Roles.Asesor), $"A-{round}", "kecil", ct);
        }

        var gotA = await others.WaitForAllAsync("A", Rounds, TimeSpan.FromSeconds(60), ct);

        // B: big frames to a device that never reads, until it is dropped, and as many rounds at least.
        using var stalled = await StalledDevice.ConnectAsync(broker.DevicePort, tokens.Issue("stalled", Roles.Asesi), ct);
        var roundsB = 0;
        for (; roundsB < Rounds || (await StatsAsync(admin, ct)).Drops == 0; roundsB++)
        {
            Assert.That(roundsB, Is.LessThan(MaxRounds), "the stalled device should have been dropped long ago");
            // A verdict is high priority: with no normal frame to shed, a full queue closes the session.
            await PublishAsync(admin, Audience.Users("stalled"), $"big-{roundsB}", Big, ct, NotificationKinds.VerdictCompetent);
            await PublishAsync(admin, Audience.ForRole(Roles.Asesor), $"B-{roundsB}", "kecil", ct);
        }

        var gotB = await others.WaitForAllAsync("B", roundsB, TimeSpan.FromSeconds(60), ct);
        var drops = (await StatsAsync(admin, ct)).Drops;
        var (p99A, p99B) = (others.Percentile("A", 99), others.Percentile("B", 99));
        TestContext.Progress.WriteLine($"p99 without the stalled device {p99A:F0} ms, with it {p99B:F0} ms; dropped after {roundsB} round(s) or fewer");

        // Now it reads: behind what filled its buffers waits the broker's close frame.
        using var reading = stalled.StartReading();
        var closeCode = await reading.ReceiveCloseAsync(ct);
        // The session stays listed until its close handshake ends (or CloseTimeoutSeconds passes).
        var gone = await Eventually.WaitAsync(
            async () => (await admin.GetFromJsonAsync("admin/sessions?userId=stalled", SitukJson.Default.SessionInfoArray, ct))!.Length == 0,
            TimeSpan.FromSeconds(30), ct);
        var connections = (await StatsAsync(admin, ct)).Connections;
        Assert.Multiple(() =>
        {
            Assert.That(gotA, Is.EqualTo(Rounds), "every other device got every notification without the stalled one");
            Assert.That(gotB, Is.EqualTo(roundsB), "every other device got every notification while it was stalled");
            Assert.That(drops, Is.EqualTo(1), "one session dropped for a full queue");
            Assert.That(gone, Is.True, "the stalled session is gone once its close is done");
            Assert.That(connections, Is.EqualTo(Others + 1), "the thousand and the big reader are still connected");
            Assert.That(closeCode, Is.EqualTo(CloseCodes.TryAgainLater), "closed with 1013");
            Assert.That(broker.Process.Failures, Is.Empty, "the broker logged no error or critical line");
            Assert.That(p99B, Is.LessThanOrEqualTo((5 * p99A) + 500), "the others' delay did not grow with a stalled device among them");
        });
    }

    private static async Task PublishAsync(
        HttpClient admin, Audience to, string title, string body, CancellationToken ct, string kind = NotificationKinds.AdminMessage)
    {
        var request = new AdminPublishRequest(to, new AdminNotification(kind, title, body));
        using var response = await admin.PostAsJsonAsync("admin/publish", request, SitukJson.Default.AdminPublishRequest, ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<BrokerStats> StatsAsync(HttpClient admin, CancellationToken ct) =>
        (await admin.GetFromJsonAsync("admin/stats", SitukJson.Default.BrokerStats, ct))!;
}
