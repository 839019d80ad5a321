using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Situk.Api.Certificates;

/// <summary>
/// <see cref="CertificateOptions.NumberFormat"/>, parsed once. Literal text may hold letters, digits
/// and <c>/ - . _</c> (a number travels in URLs and on paper); placeholders are <c>{scheme}</c>,
/// <c>{year}</c> and <c>{seq}</c> / <c>{seq:000…}</c> (1–9 zeros), each exactly once.
/// </summary>
public sealed partial class CertificateNumberFormat
{
    private readonly List<Func<string, int, int, string>> _parts = [];

    private CertificateNumberFormat()
    {
    }

    /// <summary>The format, or a sentence saying what is wrong with it.</summary>
    public static (CertificateNumberFormat? Format, string? Error) Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 100)
        {
            return (null, "must hold 1 to 100 characters.");
        }

        var format = new CertificateNumberFormat();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        foreach (Match token in Token().Matches(text))
        {
            if (token.Index > position && Literal(text[position..token.Index]) is { } error)
            {
                return (null, error);
            }

            format.AddLiteral(text[position..token.Index]);
            var name = token.Groups["name"].Value;
            var pad = token.Groups["pad"];
            if (!seen.Add(name))
            {
                return (null, $"names {{{name}}} twice.");
            }

            switch (name)
            {
                case "scheme" when !pad.Success:
                    format._parts.Add((scheme, _, _) => scheme);
                    break;
                case "year" when !pad.Success:
                    format._parts.Add((_, year, _) => year.ToString("0000", CultureInfo.InvariantCulture));
                    break;
                case "seq" when !pad.Success || Zeros().IsMatch(pad.Value):
                    var digits = pad.Success ? pad.Value : "0";
                    format._parts.Add((_, _, seq) => seq.ToString(digits, CultureInfo.InvariantCulture));
                    break;
                default:
                    return (null, $"has an unknown placeholder '{token.Value}'; use {{scheme}}, {{year}}, {{seq}} or {{seq:00000}} (1 to 9 zeros).");
            }

            position = token.Index + token.Length;
        }

        if (Literal(text[position..]) is { } tail)
        {
            return (null, tail);
        }

        format.AddLiteral(text[position..]);
        var missing = new[] { "scheme", "year", "seq" }.Where(p => !seen.Contains(p)).ToList();
        return missing.Count > 0
            ? (null, $"must contain {string.Join(", ", missing.Select(p => $"{{{p}}}"))}: the sequence restarts per scheme and year, so without them numbers would repeat.")
            : (format, null);
    }

    /// <summary>The number of the <paramref name="seq"/>-th certificate of a scheme in a year.</summary>
    public string Format(string schemeCode, int year, int seq)
    {
        var number = new StringBuilder();
        foreach (var part in _parts)
        {
            number.Append(part(schemeCode, year, seq));
        }

        return number.ToString();
    }

    private void AddLiteral(string literal)
    {
        if (literal.Length > 0)
        {
            _parts.Add((_, _, _) => literal);
        }
    }

    private static string? Literal(string literal) =>
        LiteralText().IsMatch(literal) ? null : $"has '{literal}' outside a placeholder; literal text may hold only letters, digits and / - . _ (an unknown placeholder or a stray brace?).";

    [GeneratedRegex(@"\{(?<name>[^{}:]*)(:(?<pad>[^{}]*))?\}")]
    private static partial Regex Token();

    [GeneratedRegex("^0{1,9}$")]
    private static partial Regex Zeros();

    [GeneratedRegex("^[A-Za-z0-9/._-]*$")]
    private static partial Regex LiteralText();
}
