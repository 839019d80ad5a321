using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Api.Hosting;

namespace Situk.Api.Auth;

/// <summary>
/// The anonymous routes' limits. The rate-limiting middleware counts requests per client address
/// (<see cref="ClientAddress"/>): every sign-in request (<see cref="PerAddressPolicy"/>, a generous
/// ceiling), every refresh (<see cref="RefreshPerAddressPolicy"/>, sized for a lab) and every sign-up (<see cref="SignUpPerAddressPolicy"/>). Password guessing itself is
/// slowed inside the sign-in handler by <see cref="SignInThrottle"/>, which counts only failures.
/// All answer 429 problem+json with <c>Retry-After</c>.
/// </summary>
public static class TokenRateLimits
{
    public const string PerAddressPolicy = "token-per-address";
    public const string SignUpPerAddressPolicy = "sign-up-per-address";
    public const string RefreshPerAddressPolicy = "refresh-per-address";

    public static IServiceCollection AddSitukRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<SignInThrottle>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PerAddressPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Key(context),
                _ => Window(limits.Value.TokenRequestsPerAddress, limits.Value.Window)));
            limiter.AddPolicy(SignUpPerAddressPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Key(context),
                _ => Window(limits.Value.SignUpPerAddress, limits.Value.SignUpWindow)));
            limiter.AddPolicy(RefreshPerAddressPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Key(context),
                _ => Window(limits.Value.RefreshRequestsPerAddress, limits.Value.Window)));
            limiter.OnRejected = (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ClientAddress.RetryAfterSeconds(retryAfter);
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
}
