using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Dashboard;

/// <summary>Raised when the broker's management endpoints cannot be reached; answered 503.</summary>
public sealed class BrokerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The broker's management endpoints, for the admin dashboard: the browser never holds the broker's
/// admin key (<c>Situk:Broker:AdminKey</c>), the API does. Every call runs through one resilience
/// pipeline built once: a 3 s timeout per attempt, two retries on connection faults and 5xx.
/// </summary>
public sealed class BrokerAdminClient
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public BrokerAdminClient(HttpClient http, IOptions<ApiOptions> api, IConfiguration configuration, TimeProvider time)
    {
        _http = http;
        _http.BaseAddress = new Uri(api.Value.BrokerAdminUrl.TrimEnd('/') + "/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration["Situk:Broker:AdminKey"] ?? "");
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500),
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .AddTimeout(TimeSpan.FromSeconds(3))
            .Build();
    }

    public Task<SessionInfo[]> SessionsAsync(string? userId, CancellationToken ct) =>
        GetAsync(userId is null ? "admin/sessions" : "admin/sessions?userId=" + Uri.EscapeDataString(userId), SitukJson.Default.SessionInfoArray, ct);

    public Task<BrokerStats> StatsAsync(CancellationToken ct) => GetAsync("admin/stats", SitukJson.Default.BrokerStats, ct);

    /// <summary>Closes a session with 4003; false when the broker knows no such session.</summary>
    public async Task<bool> KickAsync(string sessionId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, "admin/sessions/" + Uri.EscapeDataString(sessionId), ct);
        return response.IsSuccessStatusCode;
    }

    private async Task<T> GetAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new BrokerUnreachableException($"The broker answered {(int)response.StatusCode} to {path}.");
        }

        return (await response.Content.ReadFromJsonAsync(type, ct))!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(method, path);
                return await _http.SendAsync(request, token);
            }, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException)
        {
            throw new BrokerUnreachableException("The broker's management endpoints are unreachable.", ex);
        }
    }
}
