using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Api.Auth;
using Situk.Api.Hosting;

namespace Situk.Api.Accounts;

/// <summary>Accounts' services: the active-user check on every bearer token, and the password-reset rate limit.</summary>
public static class AccountsSetup
{
    /// <summary>
    /// <c>POST /accounts/password-reset</c> per client address: the sign-up limits
    /// (<c>Situk:RateLimit:SignUpPerAddress</c> per <c>SignUpWindow</c>), counted apart from sign-ups.
    /// </summary>
    public const string PasswordResetPerAddressPolicy = "password-reset-per-address";

    public static IServiceCollection AddSitukAccounts(this IServiceCollection services)
    {
        services.AddSingleton<ActiveUsers>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure<ActiveUsers>(ActiveUsers.Hook);
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
            limiter.AddPolicy(PasswordResetPerAddressPolicy, context => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Key(context),
                _ => TokenRateLimits.Window(limits.Value.SignUpPerAddress, limits.Value.SignUpWindow))));
        return services;
    }
}
