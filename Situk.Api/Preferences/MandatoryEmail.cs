using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// The kinds whose email no preference switches off: the built-in ones that decide a person's
/// certification (<see cref="NotificationGroups.MandatoryEmail"/>) and those <c>Situk:Notifications:MandatoryEmailKinds</c> adds.
/// A group holding one keeps its email on.
/// </summary>
public sealed class MandatoryEmail(IOptions<PreferenceOptions> options)
{
    private readonly FrozenSet<string> _kinds =
        NotificationGroups.MandatoryEmail.Union(options.Value.MandatoryEmailKinds, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal);

    public bool IsMandatory(string kind) => _kinds.Contains(kind);

    /// <summary>The first mandatory kind of the group, the one that keeps its email on; null when email can be switched off.</summary>
    public string? LockedBy(KindGroup group) => group.Kinds.FirstOrDefault(IsMandatory);

    /// <summary>Every group whose email cannot be switched off.</summary>
    public IReadOnlyList<string> LockedGroups => [.. NotificationGroups.All.Where(g => LockedBy(g) is not null).Select(g => g.Name)];
}
