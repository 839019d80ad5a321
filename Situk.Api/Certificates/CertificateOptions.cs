using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Certificates;

/// <summary><c>Situk:Certificates</c>: how certificates are numbered, checked in public and reminded of.</summary>
public sealed class CertificateOptions
{
    public const string Section = "Situk:Certificates";

    /// <summary>
    /// The number of a certificate: literal text and the placeholders <c>{scheme}</c> (the scheme's code),
    /// <c>{year}</c> (the UTC year of issue) and <c>{seq}</c> or <c>{seq:00000}</c> (the sequence within
    /// scheme and year, zero-padded to as many digits as zeros). All three are required, since the
    /// sequence restarts per scheme and year. Default <c>{scheme}/{year}/{seq:00000}</c>. Checked at
    /// start (<see cref="CertificateNumberFormat"/>).
    /// </summary>
    [Required]
    public string NumberFormat { get; set; } = "{scheme}/{year}/{seq:00000}";

    /// <summary>How many days before its expiry the holder is told, once. Default 90.</summary>
    [Range(1, 3650)]
    public int ExpiryNoticeDays { get; set; } = 90;

    /// <summary>How often the expiry sweep looks for certificates entering that window. Default one hour (and once at start).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Public checks (<c>GET /certificates/{number}</c>) per client address per <see cref="CheckWindow"/>.
    /// Default 120: a TUK lab or an employer's office checking many certificates behind one address.
    /// </summary>
    [Range(1, 1_000_000)]
    public int CheckPerAddress { get; set; } = 120;

    /// <summary>Default one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// <c>Situk:Lsp</c>: the certification body itself, as printed on its certificates and in the footer of
/// every email. The contact fields are optional (default none); a line is left out of the footer when unset.
/// </summary>
public sealed class LspOptions : IValidatableObject
{
    public const string Section = "Situk:Lsp";

    /// <summary>The LSP's name. Default <c>Lembaga Sertifikasi Profesi</c>; set it to the body's registered name.</summary>
    [Required, StringLength(200, MinimumLength = 1)]
    public string Name { get; set; } = "Lembaga Sertifikasi Profesi";

    /// <summary>Where people write to the LSP (<c>sertifikasi@lsp.example</c>).</summary>
    [EmailAddress(ErrorMessage = "Situk:Lsp:Email must be an email address, e.g. sertifikasi@lsp.example."), StringLength(254)]
    public string? Email { get; set; }

    /// <summary>The LSP's telephone (<c>+62 31 1234 5678</c>): digits, spaces, <c>+ - ( )</c>.</summary>
    [RegularExpression(@"^\+?[0-9][0-9 ()\-]{4,29}$", ErrorMessage = "Situk:Lsp:Phone must be a telephone number: digits, spaces and + - ( ), e.g. +62 31 1234 5678.")]
    public string? Phone { get; set; }

    /// <summary>The LSP's postal address, on one line.</summary>
    [StringLength(300, MinimumLength = 1)]
    public string? Address { get; set; }

    /// <summary>The LSP's own web site (not Situk's address): an absolute http(s) URL.</summary>
    public string? WebUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WebUrl is not null && !Contracts.NotificationLinks.IsAbsoluteWeb(WebUrl))
        {
            yield return new ValidationResult("Situk:Lsp:WebUrl must be an absolute http:// or https:// URL, e.g. https://lsp.example.", [nameof(WebUrl)]);
        }

        foreach (var (name, value) in new[] { (nameof(Name), Name), (nameof(Address), Address), (nameof(Email), Email) })
        {
            if (value is not null && value.Any(char.IsControl))
            {
                yield return new ValidationResult($"Situk:Lsp:{name} must be one line without control characters.", [name]);
            }
        }
    }
}
