using System.Net;
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
/// The resilience pipeline for the broker's management endpoints, built once for the process:
/// at most 6 s in all, 2 s per attempt, two retries on connection faults and 502/503/504 only.
/// </summary>
public sealed class BrokerAdminPipeline(TimeProvider time)
{
    private static readonly HashSet<HttpStatusCode> Transient =
        [HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; } = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
        .AddTimeout(TimeSpan.FromSeconds(6))
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>()
                .Handle<TimeoutRejectedException>()
                .HandleResult(r => Transient.Contains(r.StatusCode)),
            MaxRetryAttempts = 2,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
        })
        .AddTimeout(TimeSpan.FromSeconds(2))
        .Build();
}

/// <summary>
/// The broker's management endpoints, for the admin dashboard: the browser never holds the broker's
/// admin key (<c>Situk:Broker:AdminKey</c>), the API does. Every call runs through the one
/// <see cref="BrokerAdminPipeline"/>; the broker away, or refusing the API, is a <see cref="BrokerUnreachableException"/> (503).
/// </summary>
public sealed partial class BrokerAdminClient
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger<BrokerAdminClient> _logger;

    public BrokerAdminClient(HttpClient http, BrokerAdminPipeline pipeline, IOptions<ApiOptions> api, IConfiguration configuration, ILogger<BrokerAdminClient> logger)
    {
        _http = http;
        _http.BaseAddress = new Uri(api.Value.BrokerAdminUrl.TrimEnd('/') + "/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration["Situk:Broker:AdminKey"] ?? "");
        _pipeline = pipeline.Pipeline;
        _logger = logger;
    }

    public Task<SessionInfo[]> SessionsAsync(string? userId, CancellationToken ct) =>
        GetAsync(userId is null ? "admin/sessions" : "admin/sessions?userId=" + Uri.EscapeDataString(userId), SitukJson.Default.SessionInfoArray, ct);

    public Task<BrokerStats> StatsAsync(CancellationToken ct) => GetAsync("admin/stats", SitukJson.Default.BrokerStats, ct);

    /// <summary>Closes a session with 4003; false when the broker knows no such session.</summary>
    public async Task<bool> KickAsync(string sessionId, CancellationToken ct)
    {
        const string path = "admin/sessions/{sessionId}";
        using var response = await SendAsync(HttpMethod.Delete, "admin/sessions/" + Uri.EscapeDataString(sessionId), ct);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound => false,
            _ => throw Refused(path, response.StatusCode),
        };
    }

    /// <summary>Closes every open session of a user with 4003; how many were open.</summary>
    public async Task<int> KickUserAsync(long userId, CancellationToken ct)
    {
        const string path = "admin/users/{userId}/sessions";
        using var response = await SendAsync(HttpMethod.Delete, $"admin/users/{userId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/sessions", ct);
        return await ClosedCountAsync(path, response, ct);
    }

    /// <summary>Closes the user's sessions opened under one device sign-in (4004); how many were open.</summary>
    public async Task<int> KickSignInAsync(long userId, Guid signInId, CancellationToken ct)
    {
        const string path = "admin/users/{userId}/signins/{signInId}/sessions";
        using var response = await SendAsync(
            HttpMethod.Delete, $"admin/users/{userId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/signins/{signInId:N}/sessions", ct);
        return await ClosedCountAsync(path, response, ct);
    }

    private async Task<int> ClosedCountAsync(string path, HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw Refused(path, response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, ct))!.Closed;
    }

    private async Task<T> GetAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw Refused(path, response.StatusCode);
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
            LogUnreachable(_logger, path, ex.Message);
            throw new BrokerUnreachableException("The broker's management endpoints are unreachable.", ex);
        }
    }

    private BrokerUnreachableException Refused(string path, HttpStatusCode status)
    {
        LogRefused(_logger, path, (int)status);
        return new BrokerUnreachableException($"The broker answered {(int)status} to {path}.");
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Broker management unreachable for {Path}: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Broker management refused {Path} with {Status} (check Situk:Broker:AdminKey)")]
    private static partial void LogRefused(ILogger logger, string path, int status);
}
