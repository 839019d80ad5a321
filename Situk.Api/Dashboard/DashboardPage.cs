using System.Security.Cryptography;

namespace Situk.Api.Dashboard;

/// <summary>
/// The dashboard page (<c>/admin</c>) and its script and style, embedded in the assembly and served
/// with an ETag. The page itself is public; everything it shows comes from admin-only routes.
/// </summary>
public static class DashboardPage
{
    /// <summary>
    /// The page talks to this API only: its own files, fetches to its own origin, no framing, no
    /// referrer, and a form the browser cannot submit anywhere (the script signs in).
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app)
    {
        var assembly = typeof(DashboardPage).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("admin/", StringComparison.Ordinal)))
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
                _ => "application/octet-stream",
            };
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"";
            var path = resource == "admin/index.html" ? "/admin" : "/" + resource;
            app.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                context.Response.Headers.ETag = etag;
                return context.Request.Headers.IfNoneMatch == etag
                    ? Results.StatusCode(StatusCodes.Status304NotModified)
                    : Results.Bytes(content, type);
            }).ExcludeFromDescription();
        }

        return app;
    }
}
