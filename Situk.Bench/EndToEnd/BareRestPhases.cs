using System.Net.Http.Json;
using HdrHistogram;
using Situk.Bench.Baseline;
using Situk.Bench.Load;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// <c>knee --bare</c>: after a run's rates, the bare endpoint (<see cref="RestBaseline"/>) on the same machine state
/// (the run's PostgreSQL, its broker, API and devices still up and idle), warmed up as the API was and held at every
/// rate the run reached, with its CPU and PostgreSQL's read per phase as the API's are; then the same endpoint pushing
/// what it stored to the user's devices over the broker's internal socket, timed to the device as the API is. They
/// are the floor under the API's CPU per notification on this machine: what one HTTP request with a JSON body and one
/// INSERT costs at the same rate with nothing of Situk in it, and the same with the one push a notification needs.
/// </summary>
internal static class BareRestPhases
{
    /// <summary>The runtime settings the API is built with (Situk.Api.csproj), so the comparison is of the code, not of the GC.</summary>
    private static readonly Dictionary<string, string> ApiRuntime = new()
    {
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_gcConcurrent"] = "1",
        ["DOTNET_TieredPGO"] = "0",
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
    };

    public static async Task MeasureAsync(
        SitukSystem system, KneeOptions options, KneeRun run, long[] users, Action<DelayRecorder?> use, Func<string> elapsed)
    {
        await MeasureEndpointAsync(system, options, run, users, push: null, elapsed);
        await MeasureEndpointAsync(system, options, run, users, use, elapsed);
        use(null);
    }

    private static async Task MeasureEndpointAsync(
        SitukSystem system, KneeOptions options, KneeRun run, long[] users, Action<DelayRecorder?>? push, Func<string> elapsed)
    {
        var port = ChildProcess.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        string[] arguments = ["baseline-rest", "--url", url.ToString(), "--db", system.ConnectionString];
        if (push is not null)
        {
            arguments = [.. arguments, "--push", system.InternalUrl.ToString(), "--key", SitukSystem.InternalKey];
        }

        var name = push is null ? "bare endpoint" : "bare endpoint with push";
        await using var process = ChildProcess.Start(push is null ? "bare-rest" : "bare-push", "Situk.Bench.dll", arguments, ApiRuntime);
        await process.WaitHealthyAsync(new Uri(url, "healthz"), TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        Task<HttpResponseMessage> Call(int i) =>
            client.PostAsync("notifications", JsonBody.Of(new BareMessage(users[i % users.Length], "Pengumuman", "Jadwal uji kompetensi diperbarui.")));

        // Warm-up pushes reach the devices too; nothing records them.
        push?.Invoke(null);
        await EndToEndCommand.PacedCallsAsync(Math.Max(1, options.Rates[0] * options.WarmUpSeconds), options.Rates[0], new LongHistogram(600_000_000, 3), Call);
        foreach (var point in run.Points)
        {
            var sent = point.Rate * options.Seconds;
            var delays = push is null ? null : new DelayRecorder($"{name} {point.Rate}/s", sent);
            push?.Invoke(delays);
            var calls = new LongHistogram(600_000_000, 3);
            var (cpu, postgres) = (process.CpuSeconds(), system.PostgresCpuSeconds());
            var refused = await EndToEndCommand.PacedCallsAsync(sent, point.Rate, calls, Call);
            if (delays is not null)
            {
                await EndToEndCommand.WaitAsync(delays, TimeSpan.FromSeconds(60));
            }

            var bare = new BarePoint(sent, refused, calls, process.CpuSeconds() - cpu, system.PostgresCpuSeconds() - postgres, delays);
            if (push is null)
            {
                point.Bare = bare;
            }
            else
            {
                point.BarePush = bare;
            }

            Console.WriteLine(
                $"[knee run {run.Number} {elapsed()}] {name} {point.Rate}/s: call p99 {bare.CallP99Ms:0.0} ms, refused {refused}" +
                (delays is null ? "" : $", stored → device p99 {bare.DeviceP99Ms:0.0} ms, lost {bare.Lost}") +
                $"; CPU per call {bare.MsPer:0.00} ms (the API's per notification {point.ApiMsPer:0.00}), PostgreSQL {bare.PostgresMsPer:0.00}");
        }
    }
}

/// <summary>
/// The bare endpoint at one rate: its calls, the CPU it and PostgreSQL used for them (seconds), and with push each
/// notification's time from its insert to its device.
/// </summary>
internal sealed record BarePoint(int Sent, int Refused, LongHistogram Calls, double CpuSeconds, double PostgresCpuSeconds, DelayRecorder? Delays = null)
{
    public double DeviceP99Ms => Delays is null ? double.NaN : Delays.Snapshot() is { TotalCount: > 0 } d ? d.GetValueAtPercentile(99) / 1000.0 : double.NaN;

    /// <summary>Pushes the devices never had (zero without push).</summary>
    public int Lost => Delays is null ? 0 : Math.Max(0, Sent - Refused - Delays.Received);

    public double MsPer => CpuSeconds * 1000 / Sent;

    public double PostgresMsPer => PostgresCpuSeconds * 1000 / Sent;

    public double CallP99Ms => Calls.TotalCount == 0 ? double.NaN : Calls.GetValueAtPercentile(99) / 1000.0;
}
