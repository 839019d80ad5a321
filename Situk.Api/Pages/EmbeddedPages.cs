using System.Security.Cryptography;

namespace Situk.Api.Pages;

/// <summary>
/// The API's own pages (the admin dashboard, the email-confirmation page): files embedded in the
/// assembly under a folder name, served with an ETag and one set of security headers.
/// </summary>
public static class EmbeddedPages
{
    /// <summary>
    /// A page talks to this API only: its own files, fetches to its own origin, no framing, no
    /// referrer, and no form the browser could submit anywhere (a page's script does the posting).
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    /// <summary>
    /// Serves every resource named <c>{folder}/…</c> at <c>/{folder}/…</c>, and <c>{folder}/index.html</c>
    /// at <paramref name="pagePath"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapEmbeddedFolder(this IEndpointRouteBuilder app, string folder, string pagePath)
    {
        var assembly = typeof(EmbeddedPages).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(folder + "/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var type = Path.GetExtension(resource) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".json" => "application/json; charset=utf-8",
                _ => "application/octet-stream",
            };
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"";
            var path = resource == folder + "/index.html" ? pagePath : "/" + resource;
            app.MapGet(path, (HttpContext context) =>
            {
                SetSecurityHeaders(context.Response.Headers);
                context.Response.Headers.ETag = etag;
                return context.Request.Headers.IfNoneMatch == etag
                    ? Results.StatusCode(StatusCodes.Status304NotModified)
                    : Results.Bytes(content, type);
            }).ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>
    /// What every page shares, at <c>/shared/…</c>: <c>pagetext.js</c> (words and times in the reader's
    /// language and zone), <c>pagetext-settings.js</c> (the language and zone control) and their words.
    /// </summary>
    public static IEndpointRouteBuilder MapSharedPageFiles(this IEndpointRouteBuilder app) =>
        app.MapEmbeddedFolder("shared", "/shared");

    private static void SetSecurityHeaders(IHeaderDictionary headers)
    {
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
    }
}
