using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using HdrHistogram;
using Situk.Bench.Load.Report;
using Situk.Bench.Load.Targets;
using Situk.Contracts;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// <c>e2e</c>: the whole system on a real PostgreSQL with N devices connected, measuring the two paths
/// a person's notification takes: REST call → commit → relay → broker → device (each created through
/// <c>POST /api/v1/notifications</c> to one user, timed from the row's <c>createdAt</c>), and broker
/// publish → device for one-to-one sends at a steady rate (each to one user, published on the internal
/// socket exactly as the API does). Prints and optionally writes a Markdown section; exit 1 on losses.
/// </summary>
internal static class EndToEndCommand
{
    private const string Usage =
        "usage: Situk.Bench e2e [--devices N] [--rest N] [--rest-rate per-second] [--warm-up S] [--direct N] [--direct-rate per-second] [--brokers N] [--apis N] [--report FILE] [--label NAME]";

    /// <summary>Direct publishes use ids far above any the database hands out in a run.</summary>
    private const long DirectBase = 1_000_000_000_000;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        EndToEndOptions options;
        try
        {
            options = EndToEndOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        var run = Stopwatch.StartNew();
        Console.WriteLine($"== e2e: {options.Devices} devices; {options.RestCount} REST notifications at {options.RestRate}/s; {options.DirectCount} direct publishes at {options.DirectRate}/s");
        await using var system = await SitukSystem.StartAsync(options.Brokers, options.Apis);
        var users = await system.CreateCandidatesAsync(options.Devices);

        DelayRecorder? current = null;
        await using var devices = new EndToEndDevices(_ => Volatile.Read(ref current));
        await devices.ConnectAsync(system, users, TimeSpan.FromMinutes(2));
        var rssConnected = system.Broker.RssBytes();
        Console.WriteLine($"[e2e {run.Elapsed:mm\\:ss}] {devices.Connected} devices connected, broker RSS {rssConnected / 1048576} MiB");

        var admins = await AdminClientsAsync(system);
        await WarmUpAsync(admins, users, r => Volatile.Write(ref current, r), options.RestRate, options.WarmUpSeconds);
        var (rest, restCalls, refused) = await RestPhaseAsync(admins, users, r => Volatile.Write(ref current, r), "REST commit → device", options.RestCount, options.RestRate);
        foreach (var admin in admins)
        {
            admin.Dispose();
        }

        Console.WriteLine($"[e2e {run.Elapsed:mm\\:ss}] REST: {rest.Received}/{rest.Expected} received, {refused} refused, p50/p90/p99/max {MarkdownReport.Percentiles(rest.Snapshot())} ms");

        var direct = new DelayRecorder("broker publish → device (one-to-one)", options.DirectCount);
        Volatile.Write(ref current, direct);
        await PublishDirectAsync(system, users, options.DirectCount, options.DirectRate);
        await WaitAsync(direct, TimeSpan.FromSeconds(60));
        Console.WriteLine($"[e2e {run.Elapsed:mm\\:ss}] direct: {direct.Received}/{direct.Expected} received, p50/p90/p99/max {MarkdownReport.Percentiles(direct.Snapshot())} ms");

        var section = EndToEndReport.Section(options, devices.Connected, rest, restCalls, refused, direct, MachineInfo.Describe());
        Console.WriteLine();
        Console.WriteLine(section);
        if (options.ReportPath is { } path)
        {
            ReportFile.WriteSection(path, "e2e", options.Label, section);
            Console.WriteLine($"Report section 'e2e:{options.Label}' written to {path}.");
        }

        var lost = rest.Expected - rest.Received + direct.Expected - direct.Received + refused;
        return lost == 0 ? 0 : 1;
    }

    /// <summary>The seeded admin signed in on every API instance (REST calls go to them in turn, as a load balancer would spread them).</summary>
    internal static async Task<List<HttpClient>> AdminClientsAsync(SitukSystem system)
    {
        var admins = new List<HttpClient>();
        foreach (var api in system.ApiUrls)
        {
            admins.Add(await system.AdminClientAsync(api));
        }

        return admins;
    }

    /// <summary>
    /// REST at <paramref name="rate"/> for <paramref name="seconds"/>, measured by nobody: a fresh API instance's first
    /// 20-30 s of load are spent in the JIT (<see cref="KneeOptions.WarmUpSeconds"/>), and every API instance of a
    /// cluster gets only its share of the calls, so a short warm-up measured the JIT, worst with the most instances.
    /// </summary>
    internal static Task WarmUpAsync(IReadOnlyList<HttpClient> admins, long[] users, Action<DelayRecorder> use, double rate, int seconds) =>
        RestPhaseAsync(admins, users, use, "warm-up", Math.Max(1, (int)(rate * seconds)), rate);

    /// <summary>
    /// One REST phase: a fresh recorder made current through <paramref name="use"/>, <paramref name="count"/> calls at
    /// <paramref name="rate"/> per second, then up to 60 s for the devices to have them all.
    /// </summary>
    internal static async Task<(DelayRecorder Delays, LongHistogram Calls, int Refused)> RestPhaseAsync(
        IReadOnlyList<HttpClient> admins, long[] users, Action<DelayRecorder> use, string name, int count, double rate)
    {
        var recorder = new DelayRecorder(name, count);
        use(recorder);
        var calls = new LongHistogram(600_000_000, 3);
        var refused = await SendRestAsync(admins, users, count, rate, calls);
        await WaitAsync(recorder, TimeSpan.FromSeconds(60));
        return (recorder, calls, refused);
    }

    /// <summary>Starts <paramref name="count"/> REST calls at <paramref name="rate"/> per second, each to one user; returns how many were refused.</summary>
    private static Task<int> SendRestAsync(IReadOnlyList<HttpClient> admins, long[] users, int count, double rate, LongHistogram calls) =>
        PacedCallsAsync(count, rate, calls, i => admins[i % admins.Count].PostAsync("api/v1/notifications", JsonBody.Of(
            new { to = new { userIds = new[] { users[i % users.Length] } }, title = "Pengumuman", body = "Jadwal uji kompetensi diperbarui." })));

    /// <summary>
    /// Starts call number 0 … <paramref name="count"/> − 1 at <paramref name="rate"/> per second without waiting for the
    /// ones before, records each call's time in <paramref name="calls"/>, and returns how many were not answered 202.
    /// </summary>
    internal static async Task<int> PacedCallsAsync(int count, double rate, LongHistogram calls, Func<int, Task<HttpResponseMessage>> call)
    {
        var refused = 0;
        var inFlight = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await PaceAsync(start, i, rate);
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                var began = Stopwatch.GetTimestamp();
                using var response = await call(index);
                var micros = (long)Stopwatch.GetElapsedTime(began).TotalMicroseconds;
                lock (calls)
                {
                    calls.RecordValue(micros);
                }

                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref refused);
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return refused;
    }

    private static async Task PublishDirectAsync(SitukSystem system, long[] users, int count, double rate)
    {
        if (system.NatsUrl is { } nats)
        {
            // Through the cluster: on the user's subject, as an API instance publishes.
            await using var publisher = await Load.Cluster.NatsPublisher.ConnectAsync(nats);
            var begin = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                await PaceAsync(begin, i, rate);
                await publisher.ToUserAsync(DirectBase + i, users[i % users.Length].ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            }

            return;
        }

        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + SitukSystem.InternalKey);
        await socket.ConnectAsync(system.InternalUrl, CancellationToken.None);
        await using var link = new PublishLink(socket, (id, _) =>
        {
            var userId = users[(int)((id - DirectBase) % users.Length)].ToString(CultureInfo.InvariantCulture);
            var frame = new PublishFrame(id, Audience.Users(userId), new PushNotification(
                id, NotificationKinds.AdminMessage, "Pengumuman", "Jadwal uji kompetensi diperbarui.", null, null, DateTimeOffset.UtcNow));
            return JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(frame, SitukJson.Default.InternalFrame);
        });
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await PaceAsync(start, i, rate);
            await link.SendAsync(DirectBase + i, 0, CancellationToken.None);
        }
    }

    /// <summary>Waits until send number <paramref name="index"/> is due at <paramref name="rate"/> per second.</summary>
    private static async Task PaceAsync(long start, int index, double rate)
    {
        var due = TimeSpan.FromSeconds(index / rate) - Stopwatch.GetElapsedTime(start);
        if (due > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(due);
        }
    }

    internal static async Task WaitAsync(DelayRecorder recorder, TimeSpan patience)
    {
        if (await Task.WhenAny(recorder.Complete, Task.Delay(patience)) != recorder.Complete)
        {
            Console.WriteLine($"  {recorder.Name}: stopped waiting after {patience.TotalSeconds:0} s with {recorder.Received}/{recorder.Expected}.");
        }
    }
}
