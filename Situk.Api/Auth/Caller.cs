using System.Globalization;
using System.Security.Claims;
using Situk.Contracts;

namespace Situk.Api.Auth;

/// <summary>Who is calling, read from the validated token.</summary>
public readonly record struct Caller(long UserId, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;

    public bool IsAsesor => Role == Roles.Asesor;

    public bool IsAsesi => Role == Roles.Asesi;

    public static Caller From(ClaimsPrincipal user) =>
        new(long.Parse(user.FindFirstValue("sub") ?? "0", CultureInfo.InvariantCulture), user.FindFirstValue("role") ?? "");
}
