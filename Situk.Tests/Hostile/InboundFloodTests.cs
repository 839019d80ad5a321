using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Faults;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[NonParallelizable]
[Description(
    "One signed-in device floods acks and reads as fast as its socket takes them — fresh ids, repeated ids and read frames — " +
    "reconnecting each time it is closed, while a hundred devices (Situk.Client) receive notifications created through REST " +
    "and ack them; broker, API and PostgreSQL are real processes. Every one of the hundred's notifications ends with " +
    "delivered_at, none is published twice, and the flooder is closed with 1008 each time it passes its inbound bucket.")]
public sealed class InboundFloodTests() : LoadedSystemTests(Devices)
{
    private const int Devices = 100;
    private const int Notifications = 1000;
    private const int Concurrency = 8;

    [Test]
    public async Task A_flooding_device_is_closed_with_1008_and_a_hundred_others_keep_every_receipt_and_publish()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = cts.Token;
        await Stack.Fleet.WaitAllOpenAsync(ct);
        var run = Guid.NewGuid().ToString("N")[..6];

        // Quiet: the same load with nobody flooding, for the delay to compare with.
        var quiet = $"quiet-{run}";
        await new NotificationLoad(Stack.Admin, quiet).RunAsync(Stack.Users, Notifications, Concurrency, ct);
        var quietUndelivered = await UndeliveredAsync(quiet, ct);

        var flooderId = await Stack.ScalarAsync<long>(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('Flooder', 'flooder@situk.test', 'asesi', 'x') RETURNING id", ct);
        await using var flooder = Flooder.Start(Stack.Broker.DeviceUri, Stack.Tokens.Issue(flooderId.ToString(CultureInfo.InvariantCulture)), ct);
        await Eventually.WaitAsync(() => Task.FromResult(flooder.FramesSent > 1000), TimeSpan.FromSeconds(30), ct);

        var flood = $"flood-{run}";
        await new NotificationLoad(Stack.Admin, flood).RunAsync(Stack.Users, Notifications, Concurrency, ct);
        var floodUndelivered = await UndeliveredAsync(flood, ct);
        await flooder.StopAsync();

        var (p99Quiet, p99Flood) = (await P99Async(quiet, ct), await P99Async(flood, ct));
        TestContext.Progress.WriteLine(
            $"publish → device ack p99: quiet {p99Quiet:F0} ms, while flooding {p99Flood:F0} ms; the flooder sent {flooder.FramesSent:N0} frames " +
            $"over {flooder.Closes.Count} session(s), closed with [{string.Join(", ", flooder.Closes.Distinct())}]");

        var closes = flooder.Closes;
        Assert.Multiple(async () =>
        {
            Assert.That(quietUndelivered, Is.Empty, "every quiet notification was acked and stored");
            Assert.That(floodUndelivered, Is.Empty, "every notification sent while flooding was acked and stored");
            Assert.That(await MaxAttemptsAsync(flood, ct), Is.EqualTo(1), "no publish timed out and was retried while flooding");
            Assert.That(await MaxAttemptsAsync(quiet, ct), Is.EqualTo(1), "nor while quiet");
            Assert.That(closes, Is.Not.Empty, "the flooder passed its bucket");
            Assert.That(closes, Is.All.EqualTo(CloseCodes.PolicyViolation), "and each of its sessions was closed with 1008");
            Assert.That(Stack.Broker.Process.Failures, Is.Empty, "the broker logged no error or critical line");
        });
    }

    private async Task<List<string>> UndeliveredAsync(string tag, CancellationToken ct) =>
        await Eventually.WaitAsync(
            async () => (await Stack.StoredAsync(tag, ct)).Where(s => !s.Delivered).Select(s => $"{s.User}: {s.Title}").ToList(),
            TimeSpan.FromSeconds(60), ct);

    private Task<int> MaxAttemptsAsync(string tag, CancellationToken ct) =>
        Stack.ScalarAsync<int>(
            $"SELECT max(o.attempts) FROM push_outbox o JOIN notifications n ON n.id = o.notification_id WHERE starts_with(n.title, '{tag}')", ct);

    private Task<double> P99Async(string tag, CancellationToken ct) =>
        Stack.ScalarAsync<double>(
            $"""
            SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at) * 1000)
            FROM notifications WHERE starts_with(title, '{tag}')
            """, ct);

    /// <summary>
    /// A device that sends as fast as its socket takes them, in turn: an ack of 256 ids never used before,
    /// a read of the same ids, and the same ack again. Each time it is closed it notes the code and connects again.
    /// </summary>
    private sealed class Flooder : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _running;
        private readonly List<int> _closes = [];
        private long _framesSent;

        private Flooder(Uri deviceUri, string token, CancellationToken ct)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _running = RunAsync(deviceUri, token, _stop.Token);
        }

        public long FramesSent => Interlocked.Read(ref _framesSent);

        public List<int> Closes
        {
            get
            {
                lock (_closes)
                {
                    return [.. _closes];
                }
            }
        }

        public static Flooder Start(Uri deviceUri, string token, CancellationToken ct) => new(deviceUri, token, ct);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task RunAsync(Uri deviceUri, string token, CancellationToken ct)
        {
            await Task.Yield();
            var next = 1_000_000_000L;
            while (!ct.IsCancellationRequested)
            {
                using var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
                try
                {
                    await socket.ConnectAsync(deviceUri, ct);
                    await socket.ReceiveWelcomeAsync(ct);
                }
                catch (WebSocketException)
                {
                    // Refused (429 from the per-address rate): try again shortly.
                    await Task.Delay(100, ct);
                    continue;
                }

                using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var sending = SendAsync(socket, () => Interlocked.Add(ref next, 256), session.Token);
                int code;
                try
                {
                    while (await socket.ReceiveMessageAsync(ct) is not null)
                    {
                    }

                    code = (int?)socket.CloseStatus ?? 1005;
                }
                catch (WebSocketException)
                {
                    code = 1006;
                }

                // Not answered: a flooder has no manners; the broker's close timer ends its side.
                await session.CancelAsync();
                await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                socket.Abort();
                if (!ct.IsCancellationRequested)
                {
                    lock (_closes)
                    {
                        _closes.Add(code);
                    }
                }
            }
        }

        private async Task SendAsync(ClientWebSocket socket, Func<long> nextIds, CancellationToken ct)
        {
            await Task.Yield();
            while (true)
            {
                var first = nextIds();
                var ids = Enumerable.Range(0, 256).Select(i => first + i).ToArray();
                foreach (var frame in new DeviceFrame[] { new AckFrame(ids), new ReadFrame(ids), new AckFrame(ids) })
                {
                    await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.DeviceFrame), WebSocketMessageType.Text, true, ct);
                    Interlocked.Increment(ref _framesSent);
                }
            }
        }
    }
}
