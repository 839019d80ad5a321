using System.Text.RegularExpressions;

namespace Situk.Tests.Support;

/// <summary>Finds the token in a sign-up verification email's text (<c>…/verify-email#token=XYZ</c>).</summary>
public static partial class VerificationLink
{
    public static string TokenIn(string text) =>
        Token().Match(text) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No verification link in: {text}");

    [GeneratedRegex(@"verify-email#token=([A-Za-z0-9_-]+)")]
    private static partial Regex Token();
}
