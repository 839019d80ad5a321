namespace Situk.Contracts;

/// <summary>The three roles of SITUK-V2, as they appear in the token's <c>role</c> claim.</summary>
public static class Roles
{
    public const string Asesi = "asesi";
    public const string Asesor = "asesor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Asesi, Asesor, Admin];

    public static bool IsKnown(string? role) => role is Asesi or Asesor or Admin;
}
