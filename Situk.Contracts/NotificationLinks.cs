namespace Situk.Contracts;

/// <summary>
/// Which links a notification may carry. A link ends up as an <c>href</c> in emails and on device
/// pages, so only <c>https:</c>, <c>http:</c> and site-relative paths (<c>/registrations/5</c>) are
/// taken; <c>javascript:</c>, <c>data:</c>, any other scheme, and protocol-relative forms that leave the
/// site (<c>//host</c>, <c>/\host</c>) are refused.
/// </summary>
public static class NotificationLinks
{
    /// <summary>The sentence a refusal gives, for the field that carried the link.</summary>
    public const string Rule = "link must be an https:// or http:// URL, or a path on the site starting with a single '/'.";

    /// <summary>True when <paramref name="link"/> may be stored and sent.</summary>
    public static bool IsAllowed(string link)
    {
        // Browsers drop tabs and line breaks inside URLs and treat '\' as '/', so "/\t/evil" and "/\evil"
        // would become "//evil": no whitespace, control character or backslash anywhere.
        if (link.Length == 0 || link.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\'))
        {
            return false;
        }

        if (link[0] == '/')
        {
            return link.Length == 1 || link[1] != '/';
        }

        return IsAbsoluteWeb(link);
    }

    /// <summary>An absolute http(s) URL with a host.</summary>
    public static bool IsAbsoluteWeb(string link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.Host.Length > 0;
}
