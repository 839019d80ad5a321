using System.Collections.Frozen;

namespace Situk.Contracts;

/// <summary>One group of notification kinds a person switches on or off together, per channel.</summary>
/// <param name="Name">The stable wire name, e.g. <c>registration</c>; stored in preferences, never renamed.</param>
/// <param name="Kinds">Its kinds, in table order.</param>
public sealed record KindGroup(string Name, IReadOnlyList<string> Kinds);

/// <summary>
/// The groups a person's notification preferences are kept by (<c>GET /me/preferences</c>), and the
/// kinds whose email no one may switch off because they decide a person's certification. Every kind
/// of <see cref="NotificationKinds.Table"/> is in exactly one group. The mandatory kinds sit in groups
/// of their own, so every optional kind can still be switched off.
/// </summary>
public static class NotificationGroups
{
    public static readonly IReadOnlyList<KindGroup> All =
    [
        // "We have your registration": the receipt the rest of the process hangs on.
        new("received", [NotificationKinds.RegistrationSubmitted]),
        new("registration", [NotificationKinds.RegistrationVerified, NotificationKinds.RegistrationRejected, NotificationKinds.RegistrationWithdrawn]),
        new("documents", [NotificationKinds.DocumentRejected]),
        new("preparation", [NotificationKinds.AssessmentAssigned, NotificationKinds.Apl02Submitted, NotificationKinds.AssessmentEligible]),
        new("schedule", [NotificationKinds.AssessmentScheduled, NotificationKinds.AssessmentRescheduled]),
        new("verdict", [NotificationKinds.VerdictCompetent, NotificationKinds.VerdictNotYetCompetent]),
        new("certificate", [NotificationKinds.CertificateIssued]),
        new("certificate-status", [NotificationKinds.CertificateRevoked, NotificationKinds.CertificateExpiring]),
        new("messages", [NotificationKinds.AdminMessage]),

        // The digest that lists an admin's or asesor's waiting items (each stays in the inbox on its own).
        new("digests", [NotificationKinds.Digest]),
    ];

    /// <summary>
    /// Kinds whose email stays on whatever the person chose: registration received, assessment scheduled
    /// or moved, both verdicts, certificate issued. <c>Situk:Notifications:MandatoryEmailKinds</c> adds more.
    /// </summary>
    public static readonly FrozenSet<string> MandatoryEmail = new[]
    {
        NotificationKinds.RegistrationSubmitted,
        NotificationKinds.AssessmentScheduled,
        NotificationKinds.AssessmentRescheduled,
        NotificationKinds.VerdictCompetent,
        NotificationKinds.VerdictNotYetCompetent,
        NotificationKinds.CertificateIssued,
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, KindGroup> ByName = All.ToFrozenDictionary(g => g.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> GroupOfKind =
        All.SelectMany(g => g.Kinds.Select(k => (Kind: k, g.Name))).ToFrozenDictionary(p => p.Kind, p => p.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out KindGroup group) => ByName.TryGetValue(name, out group!);

    /// <summary>The group of a kind; throws for a kind in no group (a kind added to the table without one).</summary>
    public static string Of(string kind) =>
        GroupOfKind.TryGetValue(kind, out var name) ? name : throw new ArgumentException($"Kind '{kind}' is in no notification group.", nameof(kind));
}
