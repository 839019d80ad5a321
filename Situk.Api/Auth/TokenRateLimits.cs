using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Api.Hosting;

namespace Situk.Api.Auth;

/// <summary>
/// Password guessing is slowed two ways: the rate-limiting middleware counts token requests per client
/// address (policy <see cref="PerAddressPolicy"/>), and <see cref="EmailLimiter"/> counts them per
/// email inside the handler (the email is in the body, which the middleware does not read).
/// Both answer 429 problem+json with <c>Retry-After</c>.
/// </summary>
public static class TokenRateLimits
{
    public const string PerAddressPolicy = "token-per-address";

    public static IServiceCollection AddSitukRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<EmailLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PerAddressPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => Window(limits.Value.TokenPerAddress, limits.Value.Window)));
            limiter.OnRejected = (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask; // the empty 429 becomes problem+json in the status code pages
            };
        });
        return services;
    }

    internal static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Token requests per email (case-insensitive), whatever address they come from.</summary>
    public sealed class EmailLimiter(IOptions<RateLimitOptions> limits) : IDisposable
    {
        private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(email =>
            RateLimitPartition.GetFixedWindowLimiter(email, _ => Window(limits.Value.TokenPerEmail, limits.Value.Window)));

        /// <summary>True when this email may try again now; otherwise false and how long to wait.</summary>
        public bool TryAcquire(string email, out TimeSpan retryAfter)
        {
            using var lease = _limiter.AttemptAcquire(email.Trim().ToLowerInvariant());
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.Value.Window;
            return lease.IsAcquired;
        }

        public void Dispose() => _limiter.Dispose();
    }
}
