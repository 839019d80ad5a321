using System.Net;
using System.Text.RegularExpressions;
using Situk.Api.Notifications;

namespace Situk.Tests.Support;

/// <summary>The parts of an email laid out by <see cref="NotificationEmail"/>, read back from what the SMTP server received.</summary>
public static partial class EmailLayout
{
    /// <summary>The HTML footer cell's inner HTML (the cell marked <c>class="situk-footer"</c>), or null when there is none or more than one.</summary>
    public static string? HtmlFooter(string html)
    {
        var cells = FooterCell().Matches(html);
        return cells.Count == 1 ? cells[0].Groups[1].Value : null;
    }

    /// <summary>The plain-text part after its "-- " signature line, or null without one.</summary>
    public static string? TextFooter(string text)
    {
        var at = text.IndexOf("\n-- \n", StringComparison.Ordinal);
        return at < 0 ? null : text[(at + 5)..];
    }

    /// <summary>Every <c>href</c> in the HTML, decoded.</summary>
    public static IReadOnlyList<string> Hrefs(string html) => [.. Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    /// <summary>The HTML's words without tags, decoded, every run of white space one space.</summary>
    public static string Words(string html) => Space().Replace(WebUtility.HtmlDecode(Tag().Replace(html, " ")), " ").Trim();

    [GeneratedRegex("""<td class="situk-footer"[^>]*>(.*?)</td>""", RegexOptions.Singleline)]
    private static partial Regex FooterCell();

    [GeneratedRegex("""href="([^"]*)""")]
    private static partial Regex Href();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();
}
