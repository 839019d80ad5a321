using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Situk.Broker.Devices;

/// <summary>
/// A device's WebSocket upgrade request (<c>GET /ws HTTP/1.1</c> with RFC 6455's headers), read from the
/// raw bytes of a connection. <see cref="TryParse"/> accepts only the plain, complete, valid form a device
/// sends; anything else — another path or method, a body, a malformed or duplicated header, an old
/// version — is left to the HTTP pipeline, which answers it as it answers every other request.
/// </summary>
internal sealed class UpgradeRequest
{
    /// <summary>Largest request head read here; a longer one is left to Kestrel (431 past its own limit).</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>RFC 9110 tchar: what a field name (a token) is made of. Anything else in a name is for Kestrel to answer 400.</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private UpgradeRequest(string key, string host, string? origin, string? forwardedFor, string? authorization, string? accessToken, string? device)
    {
        Key = key;
        Host = host;
        ForwardedFor = forwardedFor;
        Origin = origin;
        Authorization = authorization;
        AccessToken = accessToken;
        Device = device;
    }

    /// <summary><c>Sec-WebSocket-Key</c>: base64 of 16 bytes.</summary>
    public string Key { get; }

    /// <summary><c>Host</c>: where the client sent the request (the origin check compares it with <see cref="Origin"/>).</summary>
    public string Host { get; }

    public string? Origin { get; }

    /// <summary><c>X-Forwarded-For</c>, believed only from a trusted proxy (<see cref="Limits.ClientAddresses"/>).</summary>
    public string? ForwardedFor { get; }

    public string? Authorization { get; }

    /// <summary>The <c>access_token</c> query parameter (browsers cannot set headers on a WebSocket request).</summary>
    public string? AccessToken { get; }

    /// <summary>The <c>device</c> query parameter: the device class.</summary>
    public string? Device { get; }

    /// <summary>The <c>Sec-WebSocket-Accept</c> answer to <see cref="Key"/> (RFC 6455 §4.2.2).</summary>
    public string AcceptKey() =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    /// <summary>
    /// False as soon as the bytes read so far cannot begin a device upgrade (another path, another method,
    /// not text), so the device page and garbage reach the HTTP pipeline without waiting for more.
    /// </summary>
    public static bool CouldBe(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> start = "GET /ws"u8;
        var compared = Math.Min(bytes.Length, start.Length);
        return bytes[..compared].SequenceEqual(start[..compared])
            && (bytes.Length <= start.Length || bytes[start.Length] is (byte)' ' or (byte)'?');
    }

    /// <summary>The length of the head (up to and with its blank line) at the start of <paramref name="bytes"/>, or null while it is incomplete.</summary>
    public static int? HeadLength(ReadOnlySpan<byte> bytes) =>
        bytes.IndexOf(HeadEnd) is var at and >= 0 ? at + HeadEnd.Length : null;

    /// <summary>The upgrade request in <paramref name="head"/> (request line to blank line), or null when it is anything else.</summary>
    public static UpgradeRequest? TryParse(ReadOnlySpan<byte> head)
    {
        if (head.Length > MaxHeadBytes)
        {
            return null;
        }

        foreach (var b in head)
        {
            // Request heads are printable ASCII; anything else (control bytes, NUL, UTF-8) is for Kestrel to refuse.
            if (b > 0x7E || (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t'))
            {
                return null;
            }
        }

        var text = Encoding.ASCII.GetString(head);
        var lines = text[..^4].Split("\r\n");
        if (lines.Any(line => line.AsSpan().ContainsAny('\r', '\n')))
        {
            // RFC 9112 ends every line with CRLF; a bare CR or LF inside one is for Kestrel to answer 400.
            return null;
        }

        var query = QueryOf(lines[0]);
        if (query is null)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAnyExcept(TokenChars) || !headers.TryAdd(line[..colon], line[(colon + 1)..].Trim(' ', '\t')))
            {
                return null;
            }
        }

        if (!IsUpgrade(headers) || headers.ContainsKey("Content-Length") || headers.ContainsKey("Transfer-Encoding"))
        {
            return null;
        }

        var parameters = QueryHelpers.ParseQuery(query);
        return new UpgradeRequest(
            headers["Sec-WebSocket-Key"],
            headers["Host"],
            headers.GetValueOrDefault("Origin"),
            headers.GetValueOrDefault("X-Forwarded-For"),
            headers.GetValueOrDefault("Authorization"),
            parameters.TryGetValue("access_token", out var token) ? token.ToString() : null,
            parameters.TryGetValue("device", out var device) ? device.ToString() : null);
    }

    /// <summary>The query of <c>GET /ws[?query] HTTP/1.1</c> ("" when there is none); null for any other request line.</summary>
    private static string? QueryOf(string line)
    {
        var parts = line.Split(' ');
        if (parts is not ["GET", var target, "HTTP/1.1"])
        {
            return null;
        }

        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        return path != "/ws" ? null : question < 0 ? "" : target[question..];
    }

    private static bool IsUpgrade(Dictionary<string, string> headers) =>
        headers.TryGetValue("Host", out var host) && host.Length > 0
        && headers.TryGetValue("Upgrade", out var upgrade) && upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase)
        && headers.TryGetValue("Connection", out var connection) && HasToken(connection, "upgrade")
        && headers.TryGetValue("Sec-WebSocket-Version", out var version) && version == "13"
        && headers.TryGetValue("Sec-WebSocket-Key", out var key) && IsValidKey(key);

    private static bool HasToken(string list, string token) =>
        list.Split(',', StringSplitOptions.TrimEntries).Any(t => t.Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
