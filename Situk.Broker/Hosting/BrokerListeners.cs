using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Situk.Broker.Hosting;

/// <summary>The broker's two listeners.</summary>
public enum Listener
{
    /// <summary>Device sockets (<c>Situk:Broker:DeviceUrl</c>).</summary>
    Device,

    /// <summary>Internal socket and management (<c>Situk:Broker:InternalUrl</c>).</summary>
    Internal,
}

/// <summary>Endpoint metadata: this endpoint answers on one listener only; on the other it is a 404.</summary>
internal sealed record OnListener(Listener Listener);

/// <summary>
/// The bound endpoints of both listeners. Kestrel writes the real port back into the
/// <see cref="ListenOptions"/> when it binds, so port 0 works: read the ports after the app started.
/// </summary>
public sealed class BrokerListeners
{
    internal ListenOptions? DeviceOptions { get; set; }

    internal ListenOptions? InternalOptions { get; set; }

    /// <summary>Where the device listener is bound (after start).</summary>
    public IPEndPoint Device => DeviceOptions?.IPEndPoint ?? throw new InvalidOperationException("The broker has not been configured.");

    /// <summary>Where the internal listener is bound (after start).</summary>
    public IPEndPoint Internal => InternalOptions?.IPEndPoint ?? throw new InvalidOperationException("The broker has not been configured.");

    /// <summary>Which listener accepted a connection, by its local port.</summary>
    internal Listener? Of(int localPort) =>
        localPort == Device.Port ? Listener.Device
        : localPort == Internal.Port ? Listener.Internal
        : null;
}
