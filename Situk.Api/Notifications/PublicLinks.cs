using Microsoft.Extensions.Options;
using Situk.Contracts;

namespace Situk.Api.Notifications;

/// <summary><c>Situk:PublicWebUrl</c>: where people open Situk in a browser, the base of every link in an email.</summary>
public sealed class PublicWebOptions
{
    /// <summary>Bound from the <c>Situk</c> section itself (the one key <c>Situk:PublicWebUrl</c>).</summary>
    public const string Section = "Situk";

    /// <summary>
    /// Absolute http(s) URL, optionally with a path (<c>https://lsp.example/situk</c>). Default
    /// <c>http://localhost:5000</c>, the API's own address in development.
    /// </summary>
    public string PublicWebUrl { get; set; } = "http://localhost:5000";
}

/// <summary>
/// Turns a notification's site-relative link (<c>/registrations/5</c>) into one a mail client can open:
/// a mail has no site to be relative to. Absolute http(s) links are left as they are.
/// </summary>
public sealed class PublicLinks(IOptions<PublicWebOptions> options)
{
    private readonly string _base = options.Value.PublicWebUrl.TrimEnd('/');

    /// <summary>
    /// The link as an absolute URL. The base's own path is kept (<c>…/situk</c> + <c>/registrations/5</c>).
    /// Null stays null, and so does a link <see cref="NotificationLinks"/> refuses (one stored before links were checked).
    /// </summary>
    public string? Absolute(string? link) => link switch
    {
        null => null,
        _ when !NotificationLinks.IsAllowed(link) => null,
        ['/', ..] => _base + link,
        _ => link,
    };

    internal static bool IsValidBase(PublicWebOptions o) =>
        NotificationLinks.IsAbsoluteWeb(o.PublicWebUrl) && !o.PublicWebUrl.Contains('?', StringComparison.Ordinal) && !o.PublicWebUrl.Contains('#', StringComparison.Ordinal);
}
