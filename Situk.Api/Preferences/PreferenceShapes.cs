namespace Situk.Api.Preferences;

/// <summary>One group as <c>GET /me/preferences</c> shows it.</summary>
/// <param name="EmailLockedBy">The mandatory kind that keeps the group's email on; null when email can be switched off.</param>
public sealed record GroupPreference(string Group, IReadOnlyList<string> Kinds, bool Push, bool Email, string? EmailLockedBy);

/// <summary>Every group, in the order of <see cref="Contracts.NotificationGroups.All"/>.</summary>
public sealed record PreferencesDto(IReadOnlyList<GroupPreference> Groups);

/// <summary>One group's choice as stored (or asked for): both channels.</summary>
public readonly record struct GroupChoice(string Group, bool Push, bool Email);
