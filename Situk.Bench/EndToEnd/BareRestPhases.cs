using System.Net.Http.Json;
using HdrHistogram;
using Situk.Bench.Baseline;
using Situk.Bench.Load;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// <c>knee --bare</c>: after a run's rates, the bare endpoint (<see cref="RestBaseline"/>) on the same machine state
/// (the run's PostgreSQL, its broker, API and devices still up and idle), warmed up as the API was and held at every
/// rate the run reached, with its CPU and PostgreSQL's read per phase as the API's are. It is the floor under the
/// API's CPU per notification on this machine: what one HTTP request with a JSON body and one INSERT costs at the
/// same rate, with nothing of Situk in it.
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

    public static async Task MeasureAsync(SitukSystem system, KneeOptions options, KneeRun run, Func<string> elapsed)
    {
        var port = ChildProcess.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        await using var process = ChildProcess.Start("bare-rest", "Situk.Bench.dll",
            ["baseline-rest", "--url", url.ToString(), "--db", system.ConnectionString], ApiRuntime);
        await process.WaitHealthyAsync(new Uri(url, "healthz"), TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        Task<HttpResponseMessage> Call(int i) =>
            client.PostAsJsonAsync("notifications", new BareMessage(1 + (i % run.Devices), "Pengumuman", "Jadwal uji kompetensi diperbarui."));

        await EndToEndCommand.PacedCallsAsync(Math.Max(1, options.Rates[0] * options.WarmUpSeconds), options.Rates[0], new LongHistogram(600_000_000, 3), Call);
        foreach (var point in run.Points)
        {
            var calls = new LongHistogram(600_000_000, 3);
            var (cpu, postgres) = (process.CpuSeconds(), system.PostgresCpuSeconds());
            var refused = await EndToEndCommand.PacedCallsAsync(point.Rate * options.Seconds, point.Rate, calls, Call);
            point.Bare = new BarePoint(point.Rate * options.Seconds, refused, calls, process.CpuSeconds() - cpu, system.PostgresCpuSeconds() - postgres);
            Console.WriteLine(
                $"[knee run {run.Number} {elapsed()}] bare endpoint {point.Rate}/s: call p99 {point.Bare.CallP99Ms:0.0} ms, refused {refused}; " +
                $"CPU per call {point.Bare.MsPer:0.00} ms (the API's per notification {point.ApiMsPer:0.00}), PostgreSQL {point.Bare.PostgresMsPer:0.00}");
        }
    }
}

/// <summary>The bare endpoint at one rate: its calls, and the CPU it and PostgreSQL used for them (seconds).</summary>
internal sealed record BarePoint(int Sent, int Refused, LongHistogram Calls, double CpuSeconds, double PostgresCpuSeconds)
{
    public double MsPer => CpuSeconds * 1000 / Sent;

    public double PostgresMsPer => PostgresCpuSeconds * 1000 / Sent;

    public double CallP99Ms => Calls.TotalCount == 0 ? double.NaN : Calls.GetValueAtPercentile(99) / 1000.0;
}
