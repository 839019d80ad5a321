using Microsoft.Extensions.Options;
using Situk.Contracts;

namespace Situk.Api.Digests;

/// <summary>Checks <c>Situk:Digests</c> at start; each failure names its key, so the operator fixes it from the message alone.</summary>
internal sealed class DigestOptionsValidation : IValidateOptions<DigestOptions>
{
    private static readonly TimeSpan ShortestWindow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        var errors = new List<string>();
        if (options.Window < ShortestWindow || options.Window > LongestWindow)
        {
            errors.Add($"{DigestOptions.Section}:Window must be from 00:00:01 to 1.00:00:00 (was {options.Window}).");
        }

        if (options.MaxItems is < 2 or > 100)
        {
            errors.Add($"{DigestOptions.Section}:MaxItems must be from 2 to 100 (was {options.MaxItems}).");
        }

        foreach (var (kind, roles) in options.Kinds)
        {
            var key = $"{DigestOptions.Section}:Kinds:{kind}";
            if (!NotificationKinds.IsKnown(kind))
            {
                errors.Add($"{key} names a kind that does not exist (see docs/API.md, Notification kinds).");
            }
            else if (kind == NotificationKinds.Digest)
            {
                errors.Add($"{key}: a digest is never carried by another digest.");
            }

            foreach (var role in DigestOptions.Roles(roles).Where(r => !Roles.IsKnown(r)))
            {
                errors.Add($"{key} names the role '{role}', which does not exist ({string.Join(", ", Roles.All)}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
