using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Situk.Tests.Faults;

/// <summary>
/// Creates notifications through <c>POST /api/v1/notifications</c> as an admin would script it: one
/// per request, each with its own <c>Idempotency-Key</c>, retried until the API answers 202 — through
/// refused connections while the API is down and 503s while PostgreSQL is — so a request whose answer
/// was lost creates nothing twice. Every 202 is a promise the test then checks.
/// </summary>
internal sealed class NotificationLoad(HttpClient admin, string tag)
{
    private readonly ConcurrentQueue<(long User, string Title)> _accepted = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private int _next = -1;

    /// <summary>The (user, title) of every notification the API answered 202 for.</summary>
    public IReadOnlyList<(long User, string Title)> Accepted => [.. _accepted];

    public int AcceptedCount => _accepted.Count;

    /// <summary>What the non-202 attempts met: "503 application/problem+json", "connection refused", …, with counts.</summary>
    public IReadOnlyDictionary<string, int> Refusals => _answers;

    /// <summary>Sends <paramref name="count"/> notifications to <paramref name="users"/> in turn, <paramref name="concurrency"/> at a time.</summary>
    public Task RunAsync(IReadOnlyList<long> users, int count, int concurrency, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => WorkAsync(users, count, ct)));

    /// <summary>Completes once at least <paramref name="count"/> notifications were accepted.</summary>
    public async Task WaitForAcceptedAsync(int count, CancellationToken ct)
    {
        while (_accepted.Count < count)
        {
            await Task.Delay(20, ct);
        }
    }

    public int RefusalsMatching(string prefix) => _answers.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(a => a.Value);

    private async Task WorkAsync(IReadOnlyList<long> users, int count, CancellationToken ct)
    {
        for (var i = Interlocked.Increment(ref _next); i < count; i = Interlocked.Increment(ref _next))
        {
            var user = users[i % users.Count];
            var title = string.Create(CultureInfo.InvariantCulture, $"{tag} #{i}");
            await SendUntilAcceptedAsync(user, title, $"{tag}-{i}", ct);
            _accepted.Enqueue((user, title));
        }
    }

    private async Task SendUntilAcceptedAsync(long user, string title, string key, CancellationToken ct)
    {
        var body = new { to = new { userIds = new[] { user } }, title, body = "Pemberitahuan uji ketahanan." };
        while (true)
        {
            string refusal;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await admin.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return;
                }

                refusal = $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}";
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    // Anything but "try again later" is a defect; keep the detail for the assertion message.
                    refusal += ": " + await response.Content.ReadAsStringAsync(ct);
                }
            }
            catch (HttpRequestException ex)
            {
                refusal = "no answer: " + (ex.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : ex.HttpRequestError.ToString());
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                refusal = "no answer: timeout";
            }

            _answers.AddOrUpdate(refusal, 1, (_, n) => n + 1);
            await Task.Delay(100, ct);
        }
    }
}
