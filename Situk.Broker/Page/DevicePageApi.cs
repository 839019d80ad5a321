using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Situk.Broker.Hosting;
using Situk.Broker.Options;

namespace Situk.Broker.Page;

/// <summary>
/// The device page (<c>/</c>), its script, style and words (<c>*-id.json</c>, <c>*-en.json</c>), and <c>situk.js</c>, on the device listener only.
/// The files are embedded in the assembly (<c>wwwroot/</c>) and served with an ETag so browsers revalidate,
/// each with the headers of <see cref="PageSecurity"/>.
/// </summary>
internal static class DevicePageApi
{
    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapDevicePage(this IEndpointRouteBuilder app)
    {
        var assembly = typeof(DevicePageApi).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("page/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = new PageFile(copy.ToArray(), ContentTypes.GetValueOrDefault(Path.GetExtension(resource), "application/octet-stream"));
            var name = resource["page/".Length..];
            app.MapGet(name == "index.html" ? "/" : "/" + name, (HttpContext context, PageSecurity security) => file.Serve(context, security)).On(Listener.Device).ExcludeFromDescription();
        }

        app.MapGet("/config.json", (HttpContext context, PageSecurity security, IOptions<BrokerOptions> options) =>
            {
                security.Apply(context.Response);
                return TypedResults.Json(new PageConfig(options.Value.PublicApiUrl), PageJson.Default.PageConfig);
            })
            .On(Listener.Device);
        return app;
    }

    private sealed class PageFile(byte[] content, string contentType)
    {
        private readonly string _etag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"";

        public IResult Serve(HttpContext context, PageSecurity security)
        {
            security.Apply(context.Response);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ETag = _etag;
            return context.Request.Headers.IfNoneMatch == _etag
                ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
                : TypedResults.Bytes(content, contentType);
        }
    }
}

/// <summary>What the device page needs to know at start: where the REST API is.</summary>
internal sealed record PageConfig(string ApiUrl);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PageConfig))]
internal sealed partial class PageJson : System.Text.Json.Serialization.JsonSerializerContext;
