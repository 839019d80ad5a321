using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Limits;

/// <summary>
/// Which client a device connection comes from, for its per-address limits, the logs and the session
/// list. Behind a TLS proxy every socket comes from the proxy, so the proxy's <c>X-Forwarded-For</c> names
/// the client — believed only from <c>KnownProxies</c> and <c>KnownNetworks</c> (default none: the
/// socket's own address, whatever a client writes in the header). The rule is ASP.NET Core's
/// <see cref="ForwardedHeadersMiddleware"/>, applied by the HTTP pipeline (<see cref="Apply"/>) and to the
/// request the direct upgrade path reads before any middleware (<see cref="Resolve"/>): walking right to
/// left, every trusted hop is skipped; the first address not trusted is the client. The middleware is not
/// run at all while no proxy is configured, since with empty lists it would trust every peer.
/// </summary>
internal sealed class ClientAddresses
{
    private readonly ForwardedHeadersMiddleware? _forwarders;

    public ClientAddresses(IOptions<BrokerOptions> options, ILoggerFactory loggers)
    {
        var o = options.Value;
        if (o.KnownProxies.Length + o.KnownNetworks.Length > 0)
        {
            _forwarders = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, loggers, Microsoft.Extensions.Options.Options.Create(Forwarding(o)));
        }
    }

    /// <summary>Sets the request's remote address to the client a trusted proxy names.</summary>
    public void Apply(HttpContext context) => _forwarders?.ApplyForwarders(context);

    /// <summary>The client behind a socket from <paramref name="peer"/> that sent <paramref name="forwardedFor"/>.</summary>
    public IPAddress? Resolve(IPAddress? peer, string? forwardedFor)
    {
        if (_forwarders is null || peer is null || string.IsNullOrEmpty(forwardedFor))
        {
            return peer;
        }

        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = peer;
        context.Request.Headers[ForwardedHeadersDefaults.XForwardedForHeaderName] = forwardedFor;
        _forwarders.ApplyForwarders(context);
        return context.Connection.RemoteIpAddress;
    }

    /// <summary>
    /// The bucket an address's limits count in: an IPv4 address (also when mapped into IPv6) itself; an
    /// IPv6 address by its /64, the smallest network one subscriber is given and within which a host may
    /// take a fresh address for every connection.
    /// </summary>
    public static IPAddress Bucket(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.None;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    private static ForwardedHeadersOptions Forwarding(BrokerOptions o)
    {
        // Only the client's address is taken from a proxy, from every trusted hop in turn; the framework's
        // defaults (loopback trusted, one hop) are replaced by exactly what is configured.
        var forwarding = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        forwarding.KnownProxies.Clear();
        forwarding.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The older list still holds its own default (127.0.0.0/8), which the middleware trusts too.
        forwarding.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var proxy in o.KnownProxies)
        {
            forwarding.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in o.KnownNetworks)
        {
            forwarding.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        return forwarding;
    }
}
