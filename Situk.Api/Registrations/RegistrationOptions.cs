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
