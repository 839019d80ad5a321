using System.Text.RegularExpressions;

namespace Situk.Tests.Accounts;

/// <summary>Finds the token in a password-reset email's text (<c>…/reset-password#token=XYZ</c>).</summary>
public static partial class ResetLink
{
    public static string TokenIn(string text) =>
        Token().Match(text) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No reset link in: {text}");

    [GeneratedRegex(@"reset-password#token=([A-Za-z0-9_-]+)")]
    private static partial Regex Token();
}
