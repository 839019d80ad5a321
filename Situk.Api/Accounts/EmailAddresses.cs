using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using MimeKit;

namespace Situk.Api.Accounts;

/// <summary>
/// The one form an email address is stored and compared in: trimmed, lower case, a bare ASCII
/// <c>local@domain</c>. Anything the mail library would read as some other address — a display name
/// (<c>Eve &lt;victim@x&gt;</c>), angle brackets, a quoted local part, a comment, a list — is refused,
/// so the address that is unique in <c>users</c> is the address mail goes to.
/// </summary>
public static partial class EmailAddresses
{
    /// <summary>The canonical form of <paramref name="text"/>, or null when it is not a bare address.</summary>
    public static string? Canonical(string? text)
    {
        var candidate = text?.Trim().ToLowerInvariant();
        if (candidate is null || candidate.Length is < 3 or > 254 || !Bare().IsMatch(candidate))
        {
            return null;
        }

        // The last word is MimeKit's, which is what the relay hands the address to.
        return MailboxAddress.TryParse(ParserOptions.Default, candidate, out var parsed)
            && string.IsNullOrEmpty(parsed.Name)
            && string.Equals(parsed.Address, candidate, StringComparison.Ordinal)
            ? candidate
            : null;
    }

    // Dot-atom local part (RFC 5322 atext, no leading, trailing or double dot) and a domain of LDH labels.
    [GeneratedRegex(@"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", RegexOptions.CultureInvariant)]
    private static partial Regex Bare();
}

/// <summary>Validates that a string has a canonical form (<see cref="EmailAddresses.Canonical"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class CanonicalEmailAttribute : ValidationAttribute
{
    public CanonicalEmailAttribute()
        : base("The {0} field must be a bare email address (name@example.org), without a display name or angle brackets.")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string s && EmailAddresses.Canonical(s) is not null);
}
