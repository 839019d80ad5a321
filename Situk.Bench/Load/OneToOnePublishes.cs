using System.Diagnostics;
using System.Globalization;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load;

/// <summary>
/// The one-to-one phase: <c>--publish</c> HTTP publishes at <c>--publish-rate</c> per second, each to the next
/// connected device's user (a prime stride through them, so one user gets one about every devices / rate
/// seconds), after a warm-up of 200 that is not counted. Bounded: at most <see cref="MaxInFlight"/> calls at
/// once (the schedule falls behind rather than piling up), each call 30 s, the deliveries 30 s after the last answer.
/// </summary>
internal static class OneToOnePublishes
{
    private const int MaxInFlight = 256;
    private const int WarmUp = 200;
    private const int PayloadBytes = 64;
    private const long FirstId = 2_000_000;
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Runs the warm-up, then the measured publishes; <paramref name="measured"/> brackets the measured part (for the server's CPU).</summary>
    public static async Task<OneToOneBook> RunAsync(LoadTarget target, DeviceFleet fleet, LoadOptions options, Action<bool> measured)
    {
        var devices = fleet.ConnectedIndexes.Order().ToArray();
        var size = options.FirstDevice + options.Devices;
        using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = MaxInFlight };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        await PublishAsync(target, fleet, new OneToOneBook(size), devices, Math.Min(WarmUp, options.Publishes), FirstId, options.PublishRate, http);
        var book = new OneToOneBook(size);
        measured(true);
        await PublishAsync(target, fleet, book, devices, options.Publishes, FirstId + WarmUp, options.PublishRate, http);
        measured(false);
        return book;
    }

    private static async Task PublishAsync(LoadTarget target, DeviceFleet fleet, OneToOneBook book, int[] devices, int count, long firstId, double rate, HttpClient http)
    {
        if (devices.Length == 0 || count == 0)
        {
            return;
        }

        fleet.OneToOne = book;
        var stride = Stride(devices.Length);
        using var gate = new SemaphoreSlim(MaxInFlight);
        var calls = new List<Task>(count);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await gate.WaitAsync();
            calls.Add(CallAsync(target, book, http, devices[(int)((long)i * stride % devices.Length)], firstId + i, gate));
        }

        await Task.WhenAll(calls);
        var drain = Stopwatch.GetTimestamp();
        while (book.Received < book.Sent - book.Failed.Values.Sum() && Stopwatch.GetElapsedTime(drain) < DrainDeadline)
        {
            await Task.Delay(20);
        }

        fleet.OneToOne = null;
    }

    private static async Task CallAsync(LoadTarget target, OneToOneBook book, HttpClient http, int device, long id, SemaphoreSlim gate)
    {
        try
        {
            using var request = target.PublishRequest(device, id, PayloadBytes);
            var sentAt = book.Sending(device);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            book.Answered(sentAt);
            if (!response.IsSuccessStatusCode)
            {
                book.Fail(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            book.Fail(e is TaskCanceledException ? "timeout" : "error: " + e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A stride through <paramref name="n"/> devices that visits each once before any twice: a prime not dividing n.</summary>
    private static int Stride(int n)
    {
        foreach (var p in (int[])[7919, 7907, 7901, 6007, 997, 13, 7, 1])
        {
            if (n % p != 0)
            {
                return p;
            }
        }

        return 1;
    }
}
