using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// Writes notifications through <c>POST /api/v1/notifications</c> at a steady pace, each to the recipients the
/// test names for it, taking the API instances in turn as a load balancer would. A request that
/// meets a dead instance or a 503 is sent again to the next instance with the same <c>Idempotency-Key</c>,
/// so a lost answer creates nothing twice. Every 202 is a promise the test checks.
/// </summary>
internal sealed class SteadyWriter(IReadOnlyList<HttpClient> apis, string tag, Stopwatch clock)
{
    private readonly ConcurrentQueue<Written> _accepted = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();

    /// <summary>Every notification answered 202: its recipients, title and when the 202 came (shared clock).</summary>
    public IReadOnlyList<Written> Accepted => [.. _accepted];

    public int AcceptedCount => _accepted.Count;

    /// <summary>What retried attempts met ("no answer", "503"), with counts.</summary>
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>Writes notification <c>i</c> to <paramref name="recipients"/>(i), one every <paramref name="interval"/> at most, until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(Func<int, long[]> recipients, TimeSpan interval, CancellationToken stop, CancellationToken ct)
    {
        var next = clock.Elapsed;
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var users = recipients(i);
            var title = string.Create(CultureInfo.InvariantCulture, $"{tag} #{i}");
            await SendUntilAcceptedAsync(i, users, title, ct);
            _accepted.Enqueue(new Written(users, title, clock.Elapsed));
            next += interval;
            if (next > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(next - clock.Elapsed, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private async Task SendUntilAcceptedAsync(int i, long[] users, string title, CancellationToken ct)
    {
        var body = new { to = new { userIds = users }, title, body = "Pemberitahuan uji gangguan klaster." };
        for (var attempt = 0; ; attempt++)
        {
            var api = apis[(i + attempt) % apis.Count];
            string refusal;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", string.Create(CultureInfo.InvariantCulture, $"{tag}-{i}"));
                using var response = await api.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return;
                }

                refusal = $"{(int)response.StatusCode}";
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    refusal += ": " + await response.Content.ReadAsStringAsync(ct);
                }
            }
            catch (HttpRequestException ex)
            {
                refusal = "no answer: " + ex.HttpRequestError;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                refusal = "no answer: timeout";
            }

            _refusals.AddOrUpdate(refusal, 1, (_, n) => n + 1);
            // The next instance at once; a pause only once every instance was tried.
            if ((attempt + 1) % apis.Count == 0)
            {
                await Task.Delay(100, ct);
            }
        }
    }
}

/// <summary>One accepted notification: its recipients, its title, and when the 202 came.</summary>
internal sealed record Written(long[] Users, string Title, TimeSpan AcceptedAt);
