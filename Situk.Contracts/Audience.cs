namespace Situk.Contracts;

/// <summary>
/// Who a publish goes to: exactly one of a list of user ids, a role, or everyone.
/// User ids are the token's <c>sub</c> claim, as strings.
/// </summary>
public sealed record Audience(string[]? UserIds = null, string? Role = null, bool All = false)
{
    public static Audience Users(params string[] userIds) => new(UserIds: userIds);

    public static Audience ForRole(string role) => new(Role: role);

    public static Audience Everyone { get; } = new(All: true);

    /// <summary>Null when the audience names exactly one target; otherwise why not.</summary>
    public string? Problem()
    {
        var targets = (UserIds is not null ? 1 : 0) + (Role is not null ? 1 : 0) + (All ? 1 : 0);
        if (targets != 1)
        {
            return "Give exactly one of userIds, role or all:true.";
        }

        if (UserIds is { Length: 0 })
        {
            return "userIds must name at least one user.";
        }

        if (Role is not null && !Roles.IsKnown(Role))
        {
            return "role must be one of asesi, asesor, admin.";
        }

        return null;
    }
}
