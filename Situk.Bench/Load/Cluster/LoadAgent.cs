using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Situk.Bench.Load.Targets;
using Situk.Contracts;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// <c>Situk.Bench load-agent …</c>: one load process of the cluster bench. It opens its share of the devices
/// (<see cref="DeviceFleet"/>, <see cref="Device"/>: the <c>load</c> command's own) on brokers started by its
/// parent, so every process stays under the open-file limit, and answers the parent's commands on stdin with
/// one <c>@</c> line each on stdout. A delivery is timed from the notification's <c>createdAt</c>, stamped by
/// the parent at send: one machine, one clock.
/// </summary>
internal static class LoadAgent
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args, out var ports);
        var target = SitukTarget.Attach(ports);
        await using var fleet = DeviceFleet.Create(target, options);
        var expectAll = false;
        target.Seen = frame =>
        {
            if (fleet.Book is { } book)
            {
                var sentAt = Stopwatch.GetTimestamp() - (long)((DateTimeOffset.UtcNow - frame.CreatedAt).TotalSeconds * Stopwatch.Frequency);
                book.Adopt(frame.Id, sentAt, Volatile.Read(ref expectAll) ? fleet.Open : 1);
            }
        };

        var deadline = ConnectDeadline(options.Devices, options.RampPerSecond);
        await fleet.ConnectAsync(options, options.Devices, options.RampPerSecond, deadline);
        var missing = Enumerable.Range(options.FirstDevice, options.Devices).Except(fleet.ConnectedIndexes).ToArray();
        Reply("connected", new AgentConnected(fleet.Open, fleet.Attempted, new(fleet.Refused), fleet.ConnectSeconds, missing));

        while (await Console.In.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words)
            {
                case ["book", var firstId, var capacity, var broadcast]:
                    Volatile.Write(ref expectAll, broadcast == "1");
                    fleet.Book = new DelayBook(broadcast == "1" ? "broadcast" : "one-to-one", Long(firstId), (int)Long(capacity));
                    Reply("ok", fleet.Open);
                    break;
                case ["count"]:
                    Reply("count", new AgentCount(fleet.Open, fleet.Book?.Received ?? 0));
                    break;
                case ["report"]:
                    Reply("report", Report(fleet));
                    break;
                case ["quit"]:
                    return 0;
                default:
                    Reply("error", "unknown command: " + line);
                    break;
            }
        }

        return 0;
    }

    /// <summary>
    /// Four times the ramp's own length and a minute: on two shared cores a handshake may take seconds, and at
    /// most 128 are in flight, so the ramp can fall behind its schedule without anything being wrong.
    /// </summary>
    public static TimeSpan ConnectDeadline(int devices, int perSecond) => TimeSpan.FromSeconds(60 + (4 * devices / (double)perSecond));

    private static AgentReport Report(DeviceFleet fleet)
    {
        var book = fleet.Book;
        if (book is null)
        {
            return new AgentReport(fleet.Open, new(fleet.Closed), [], [], []);
        }

        var received = Enumerable.Range(0, book.Capacity).Select(book.ReceivedOf).ToArray();
        var lastMs = Enumerable.Range(0, book.Capacity).Select(i => book.LastDeviceMs(i) is var ms && double.IsNaN(ms) ? -1 : ms).ToArray();
        // A copy: late deliveries keep recording while the report is read.
        var histogram = book.SnapshotAll().RecordedValues().Select(v => new[] { v.ValueIteratedTo, v.CountAtValueIteratedTo }).ToArray();
        return new AgentReport(fleet.Open, new(fleet.Closed), received, lastMs, histogram);
    }

    private static void Reply<T>(string kind, T value) =>
        Console.Out.WriteLine("@" + kind + " " + JsonSerializer.Serialize(value, AgentJson.Options));

    private static LoadOptions Parse(string[] args, out int[] ports)
    {
        var o = new LoadOptions();
        ports = [];
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--ports":
                    ports = [.. value.Split(',').Select(p => (int)Long(p))];
                    break;
                case "--first":
                    o = o with { FirstDevice = (int)Long(value) };
                    break;
                case "--devices":
                    o = o with { Devices = (int)Long(value) };
                    break;
                case "--ramp":
                    o = o with { RampPerSecond = (int)Long(value) };
                    break;
                case "--devices-per-address":
                    o = o with { DevicesPerAddress = (int)Long(value) };
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        return ports.Length > 0 ? o : throw new ArgumentException("--ports is required.");
    }

    private static long Long(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>What an agent opened; <paramref name="Missing"/>: the indexes that did not connect (one-to-one sends skip them).</summary>
internal sealed record AgentConnected(int Open, int Attempted, Dictionary<string, int> Refused, double Seconds, int[] Missing);

internal sealed record AgentCount(int Open, long Received);

/// <summary>One agent's book: per notification index the deliveries and the last one's delay (ms, −1: none), and the delay histogram as (µs, count) pairs.</summary>
internal sealed record AgentReport(int Open, Dictionary<string, int> Closed, int[] Received, double[] LastMs, long[][] Histogram);

internal static class AgentJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
