using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Texts;

/// <summary>A language Situk writes in (<c>id</c> or <c>en</c>); null means "not given".</summary>
public sealed class LanguageAttribute : ValidationAttribute
{
    public LanguageAttribute()
        : base("The {0} field must be one of: " + string.Join(", ", TextCatalog.Languages) + ".")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string s && TextCatalog.IsLanguage(s));
}

/// <summary>An IANA time zone name such as <c>Asia/Jakarta</c>, <c>Asia/Makassar</c> or <c>Asia/Jayapura</c>; null means "not given".</summary>
public sealed class TimeZoneIdAttribute : ValidationAttribute
{
    public TimeZoneIdAttribute()
        : base("The {0} field must be an IANA time zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura.")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string s && s.Length <= 64 && Locale.IsZone(s));
}
