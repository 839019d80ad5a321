using Microsoft.Extensions.Options;
using Situk.Api.Auth;

namespace Situk.Api.Registrations;

public static class RegistrationSetup
{
    public static IServiceCollection AddRegistrations(this IServiceCollection services)
    {
        services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section);
        return services;
    }

    /// <summary>
    /// Who passes the role gate of <c>POST /registrations/{id}/verification</c>, read once when the routes are mapped:
    /// a gate, so an asesor is refused (403) before the body or the registration is looked at.
    /// </summary>
    internal static string VerifierPolicy(IEndpointRouteBuilder routes) =>
        routes.ServiceProvider.GetRequiredService<IOptions<RegistrationOptions>>().Value.AsesorsMayVerify
            ? AuthSetup.AdminOrAsesor
            : AuthSetup.Admin;
}
