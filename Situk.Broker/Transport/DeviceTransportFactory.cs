using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Situk.Broker.Devices;
using Situk.Broker.Hosting;
using Situk.Broker.Options;

namespace Situk.Broker.Transport;

/// <summary>
/// Kestrel's transport for the broker: the device listener gets <see cref="DeviceListener"/> (when
/// <c>DirectUpgrade</c> is on); every other listener gets Kestrel's own socket transport, unchanged.
/// </summary>
internal sealed class DeviceTransportFactory(
    IOptions<SocketTransportOptions> socketOptions,
    ILoggerFactory loggers,
    BrokerListeners listeners,
    IOptions<BrokerOptions> options,
    IServiceProvider services) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(socketOptions, loggers);

    public bool CanBind(EndPoint endpoint) => _sockets.CanBind(endpoint);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        options.Value.DirectUpgrade && ReferenceEquals(endpoint, listeners.DeviceOptions?.EndPoint)
            ? ValueTask.FromResult<IConnectionListener>(
                DeviceListener.Bind(endpoint, services.GetRequiredService<DirectUpgrade>(), socketOptions.Value, loggers))
            : _sockets.BindAsync(endpoint, cancellationToken);
}
