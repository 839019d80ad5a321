using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Situk.Api.Auth;

/// <summary>
/// The key a client's requests are counted under: its IPv4 address, or the /64 network of its IPv6
/// address (one subscriber usually holds a whole /64 and can pick any address in it). Behind a trusted
/// proxy <see cref="HttpContext.Connection"/> already holds the forwarded address (ForwardedHeaders).
/// </summary>
public static class ClientAddress
{
    public static string Key(HttpContext context) => Key(context.Connection.RemoteIpAddress);

    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Whole seconds for a <c>Retry-After</c> header, at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
