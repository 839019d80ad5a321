using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Situk.Broker.Limits;
using Situk.Broker.Options;

namespace Situk.Broker.Hosting;

/// <summary>
/// Binds the two listeners and sets Kestrel's own limits: the broker's 503 at <c>MaxConnections</c> comes
/// first, Kestrel's hard caps on the connections it serves sit a little above it. They count only Kestrel's
/// connections; the descriptor limit itself is kept by <see cref="SocketBudget"/>, over every accepted socket.
/// </summary>
internal static class KestrelSetup
{
    /// <summary>Upgraded sockets allowed beyond <c>MaxConnections</c>: API links and sockets still closing.</summary>
    private const int UpgradedHeadroom = 64;

    /// <summary>Plain connections allowed beyond that: health checks, management, refused handshakes.</summary>
    private const int ConnectionHeadroom = 256;

    public static void Configure(KestrelServerOptions kestrel, BrokerOptions options, BrokerListeners listeners)
    {
        var max = ConnectionGate.EffectiveMaxConnections(options);
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxConcurrentUpgradedConnections = max + UpgradedHeadroom;
        kestrel.Limits.MaxConcurrentConnections = max + UpgradedHeadroom + ConnectionHeadroom;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.HandshakeTimeoutSeconds);
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(Math.Max(options.HandshakeTimeoutSeconds, 30));

        // The device listener's sockets are accepted by Transport/DeviceListener (DirectUpgrade), the rest by Kestrel.
        kestrel.Listen(Parse(options.DeviceUrl, nameof(options.DeviceUrl)), listen => listeners.DeviceOptions = listen);
        kestrel.Listen(Parse(options.InternalUrl, nameof(options.InternalUrl)), listen => listeners.InternalOptions = listen);
    }

    private static IPEndPoint Parse(string url, string key) =>
        ListenUrl.TryParse(url, out var endPoint) ? endPoint
        : throw new InvalidOperationException($"{BrokerOptions.Section}:{key} must be an http URL such as http://127.0.0.1:5081.");
}
