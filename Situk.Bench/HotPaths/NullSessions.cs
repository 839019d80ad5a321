using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Situk.Broker.Auth;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Broker.Sessions;
using Situk.Broker.Sockets;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Bench.HotPaths;

/// <summary>
/// Real broker sessions without sockets: each <see cref="FrameWriter"/> writes real WebSocket frames into
/// <see cref="Stream.Null"/>, so the hot paths run as in production minus the network.
/// </summary>
internal static class NullSessions
{
    public static SessionRegistry Registry(int maxSessionsPerUser = 10) =>
        new(Microsoft.Extensions.Options.Options.Create(new BrokerOptions { MaxSessionsPerUser = maxSessionsPerUser }), new LinkRegistry());

    public static BrokerMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    public static Session Create(string userId, int queueCapacity = 256, Action? onSent = null)
    {
        var socket = WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true });
        var times = new DeliveryTimes(TimeProvider.System);
        var writer = new FrameWriter(socket, queueCapacity, TimeProvider.System, TimeSpan.FromSeconds(5), onSent, times.Written);
        return new Session(Guid.CreateVersion7().ToString("N"), new DeviceIdentity(userId, Roles.Asesi, DateTimeOffset.MaxValue),
            DeviceClasses.Web, System.Net.IPAddress.Loopback, DateTimeOffset.UtcNow, writer, times);
    }
}
