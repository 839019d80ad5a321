using System.Buffers.Text;
using Microsoft.AspNetCore.Http;
using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>
/// <c>200 {"sessions":n}</c>, the answer of a publish on a single broker, written as bytes: the same body
/// <see cref="SessionCount"/> serialises to when no broker is missing, without a serialiser per call. In a
/// cluster, with brokers to name, the answer is serialised as before.
/// </summary>
internal sealed class SessionCountAnswer(int sessions) : IResult
{
    private const string ContentType = "application/json; charset=utf-8";
    private static ReadOnlySpan<byte> Start => "{\"sessions\":"u8;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var span = response.BodyWriter.GetSpan(Start.Length + 12);
        Start.CopyTo(span);
        Utf8Formatter.TryFormat(sessions, span[Start.Length..], out var digits);
        span[Start.Length + digits] = (byte)'}';
        var length = Start.Length + digits + 1;
        response.ContentLength = length;
        response.BodyWriter.Advance(length);
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
    }
}
