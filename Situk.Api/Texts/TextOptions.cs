using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Texts;

/// <summary>
/// <c>Situk:DefaultLanguage</c> and <c>Situk:DefaultTimeZone</c>: what a new user gets when they name
/// neither (defaults <c>id</c> and <c>Asia/Jakarta</c>). Each user changes theirs with <c>PATCH /me</c>.
/// </summary>
public sealed class TextOptions : IValidatableObject
{
    public const string Section = "Situk";

    public string DefaultLanguage { get; set; } = "id";

    public string DefaultTimeZone { get; set; } = Locale.DefaultZoneId;

    /// <summary>What a new user gets: the language and zone they asked for, else the defaults.</summary>
    public LocaleChoice For(string? language, string? timeZone) => new(language ?? DefaultLanguage, timeZone ?? DefaultTimeZone);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TextCatalog.IsLanguage(DefaultLanguage))
        {
            yield return new ValidationResult(
                $"Situk:DefaultLanguage must be one of {string.Join(", ", TextCatalog.Languages)}.", [nameof(DefaultLanguage)]);
        }

        if (!Locale.IsZone(DefaultTimeZone))
        {
            yield return new ValidationResult(
                "Situk:DefaultTimeZone must be an IANA time zone such as Asia/Jakarta.", [nameof(DefaultTimeZone)]);
        }
    }
}

/// <summary>A user's stored language and IANA zone name.</summary>
public sealed record LocaleChoice(string Language, string TimeZone);
