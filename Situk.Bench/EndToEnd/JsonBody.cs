using System.Net.Http.Headers;
using System.Text.Json;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// A request body as front-ends send it: serialised once, with its <c>Content-Length</c>. <c>PostAsJsonAsync</c>
/// streams its JSON without a length, so every call went out with chunked transfer encoding, which a browser's
/// <c>fetch</c>, curl and the dashboard never send, and which costs the server a second body parser per call.
/// </summary>
internal static class JsonBody
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public static HttpContent Of<T>(T value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));
        content.Headers.ContentType = Json;
        return content;
    }
}
