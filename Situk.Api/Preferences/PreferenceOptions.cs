using System.ComponentModel.DataAnnotations;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary><c>Situk:Notifications</c>: which emails no one may switch off, and how long an unsubscribe link works.</summary>
public sealed class PreferenceOptions : IValidatableObject
{
    public const string Section = "Situk:Notifications";

    /// <summary>
    /// Kinds whose email stays on besides the built-in ones (<see cref="NotificationGroups.MandatoryEmail"/>),
    /// e.g. <c>Situk__Notifications__MandatoryEmailKinds__0=certificate.revoked</c>. Default none.
    /// Switching email off for a group holding one is refused; stored choices are re-opened at start.
    /// </summary>
    public List<string> MandatoryEmailKinds { get; set; } = [];

    /// <summary>How long an emailed unsubscribe link works (1 day – 1 year). Default 60 days.</summary>
    public TimeSpan UnsubscribeLinkLifetime { get; set; } = TimeSpan.FromDays(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var kind in MandatoryEmailKinds.Where(k => !NotificationKinds.IsKnown(k)))
        {
            yield return new ValidationResult(
                $"Situk:Notifications:MandatoryEmailKinds names '{kind}', which is not a notification kind (see docs/API.md, Notification kinds).",
                [nameof(MandatoryEmailKinds)]);
        }

        if (UnsubscribeLinkLifetime < TimeSpan.FromDays(1) || UnsubscribeLinkLifetime > TimeSpan.FromDays(366))
        {
            yield return new ValidationResult(
                "Situk:Notifications:UnsubscribeLinkLifetime must be between 1.00:00:00 and 366.00:00:00.", [nameof(UnsubscribeLinkLifetime)]);
        }
    }
}
