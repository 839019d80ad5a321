using Microsoft.Extensions.Options;
using Situk.Api.Auth;

namespace Situk.Api.Registrations;

/// <summary><c>Situk:Registrations</c>: who takes part in the registration steps beyond the defaults.</summary>
public sealed class RegistrationOptions
{
    public const string Section = "Situk:Registrations";

    /// <summary>
    /// Whether asesors verify APL-01 as admins do. Default false: APL-01 holds identity number, birth date and
    /// address, so before assignment only admins see it, and an asesor sees only the registrations assigned to
    /// them. When true, asesors also see the verification queue (unassigned <c>submitted</c> registrations) and
    /// may verify them.
    /// </summary>
    public bool AsesorsMayVerify { get; set; }
}

public static class RegistrationSetup
{
    public static IServiceCollection AddRegistrations(this IServiceCollection services)
    {
        services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section);
        return services;
    }

    /// <summary>Who passes the role gate of <c>POST /registrations/{id}/verification</c>, read once at start.</summary>
    internal static string VerifierPolicy(IEndpointRouteBuilder routes) =>
        routes.ServiceProvider.GetRequiredService<IOptions<RegistrationOptions>>().Value.AsesorsMayVerify
            ? AuthSetup.AdminOrAsesor
            : AuthSetup.Admin;
}
