using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Api.Auth;

namespace Situk.Api.Certificates;

public static class CertificatesSetup
{
    /// <summary>The rate-limit policy of the public check, per client address (<see cref="ClientAddress"/>).</summary>
    public const string CheckPolicy = "certificate-check-per-address";

    /// <summary>
    /// <c>Situk:Certificates</c> and <c>Situk:Lsp</c> (checked at start: a number format with an unknown
    /// placeholder stops the API naming it), the issuer, the public check's rate limit and the expiry sweeper.
    /// </summary>
    public static IServiceCollection AddCertificates(this IServiceCollection services)
    {
        services.AddOptions<CertificateOptions>().BindConfiguration(CertificateOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CertificateOptions>, NumberFormatValidation>();
        services.AddOptions<LspOptions>().BindConfiguration(LspOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new CertificateIssuer(CertificateNumberFormat.Parse(sp.GetRequiredService<IOptions<CertificateOptions>>().Value.NumberFormat).Format!));
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<CertificateOptions>>((limiter, certificates) =>
            limiter.AddPolicy(CheckPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Key(context),
                _ => TokenRateLimits.Window(certificates.Value.CheckPerAddress, certificates.Value.CheckWindow))));
        services.AddSingleton<CertificateExpirySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateExpirySweeper>());
        return services;
    }

    /// <summary>Names what is wrong with the number format, so the operator can fix it from the message alone.</summary>
    private sealed class NumberFormatValidation : IValidateOptions<CertificateOptions>
    {
        public ValidateOptionsResult Validate(string? name, CertificateOptions options) =>
            CertificateNumberFormat.Parse(options.NumberFormat).Error is { } error
                ? ValidateOptionsResult.Fail($"{CertificateOptions.Section}:NumberFormat '{options.NumberFormat}' {error}")
                : ValidateOptionsResult.Success;
    }
}
