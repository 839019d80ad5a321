using Microsoft.Extensions.Options;
using Situk.Api.Accounts;
using Situk.Api.Certificates;
using Situk.Api.Texts;

namespace Situk.Api.Hosting;

/// <summary>Binds every <c>Situk:*</c> section and checks it when the app starts (or first asks).</summary>
public static class OptionsSetup
{
    public static IServiceCollection AddSitukOptions(this IServiceCollection services)
    {
        Bind<JwtOptions>(services, JwtOptions.Section);
        Bind<ApiOptions>(services, ApiOptions.Section);
        Bind<AdminOptions>(services, AdminOptions.Section);
        Bind<RateLimitOptions>(services, RateLimitOptions.Section);
        Bind<AccountOptions>(services, AccountOptions.Section);
        Bind<TextOptions>(services, TextOptions.Section);
        services.AddOptions<DatabaseOptions>()
            .Configure<IConfiguration>((o, config) => o.ConnectionString = config.GetConnectionString("Situk") ?? "")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<AdminOptions>()
            .Validate(o => string.IsNullOrEmpty(o.Email) || !string.IsNullOrEmpty(o.Password),
                $"{AdminOptions.Section}:Password is required when {AdminOptions.Section}:Email is set.");
        return services;
    }

    /// <summary>Resolves every options type once, so a bad configuration fails before anything runs.</summary>
    public static void ValidateSitukOptions(this IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        _ = services.GetRequiredService<IOptions<JwtOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        _ = services.GetRequiredService<IOptions<AdminOptions>>().Value;
        _ = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        _ = services.GetRequiredService<IOptions<AccountOptions>>().Value;
        _ = services.GetRequiredService<IOptions<CertificateOptions>>().Value;
        _ = services.GetRequiredService<IOptions<LspOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TextOptions>>().Value;
        _ = services.GetRequiredService<IOptions<Digests.DigestOptions>>().Value;
    }

    private static void Bind<T>(IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
