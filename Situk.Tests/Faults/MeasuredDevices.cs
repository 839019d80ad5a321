using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// Plain client sockets that read everything and note, for each notification, how long after the
/// broker's <c>sentAt</c> it arrived, grouped by the title's phase prefix (<c>"A-…"</c> → phase "A").
/// Broker and readers share this machine's clock.
/// </summary>
internal sealed class MeasuredDevices : IAsyncDisposable
{
    private readonly ClientWebSocket[] _sockets;
    private readonly Task[] _readers;
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _delays = new();
    private readonly ConcurrentDictionary<(int Device, string Phase), int> _counts = new();
    private readonly CancellationTokenSource _stop = new();

    private MeasuredDevices(ClientWebSocket[] sockets)
    {
        _sockets = sockets;
        _readers = sockets.Select((s, i) => ReadAsync(i, s, _stop.Token)).ToArray();
    }

    public int Count => _sockets.Length;

    /// <summary>Opens <paramref name="count"/> sockets for users <c>{prefix}0…</c> in <paramref name="role"/>, each past its welcome.</summary>
    public static async Task<MeasuredDevices> ConnectAsync(Uri deviceUri, TestTokens tokens, string prefix, string role, int count, CancellationToken ct)
    {
        var sockets = new ClientWebSocket[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + tokens.Issue(prefix + i.ToString(CultureInfo.InvariantCulture), role));
            await socket.ConnectAsync(deviceUri, token);
            await socket.ReceiveWelcomeAsync(token);
            sockets[i] = socket;
        });
        return new MeasuredDevices(sockets);
    }

    /// <summary>Waits until every device got <paramref name="expected"/> notifications of <paramref name="phase"/>; returns the fewest any got.</summary>
    public async Task<int> WaitForAllAsync(string phase, int expected, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Fewest(phase) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        return Fewest(phase);
    }

    /// <summary>The <paramref name="percentile"/> (0–100) of a phase's delays, in milliseconds.</summary>
    public double Percentile(string phase, double percentile)
    {
        var sorted = _delays.GetValueOrDefault(phase, []).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var socket in _sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private int Fewest(string phase) => Enumerable.Range(0, _sockets.Length).Min(i => _counts.GetValueOrDefault((i, phase)));

    private async Task ReadAsync(int device, ClientWebSocket socket, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                if (await socket.ReceiveDeviceFrameAsync(ct) is NotificationFrame n)
                {
                    var delay = (DateTimeOffset.UtcNow - n.SentAt).TotalMilliseconds;
                    var phase = n.Title.Split('-')[0];
                    _delays.GetOrAdd(phase, _ => []).Add(delay);
                    _counts.AddOrUpdate((device, phase), 1, (_, c) => c + 1);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
            // Stopped, or the socket closed: the counts tell.
        }
    }
}
