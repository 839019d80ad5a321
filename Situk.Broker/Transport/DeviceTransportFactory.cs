using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Situk.Broker.Devices;
using Situk.Broker.Hosting;
using Situk.Broker.Limits;
using Situk.Broker.Options;

namespace Situk.Broker.Transport;

/// <summary>
/// Kestrel's transport for the broker: the device listener gets <see cref="DeviceListener"/> (when
/// <c>DirectUpgrade</c> is on); every other listener gets Kestrel's own socket transport, each accepted
/// connection counted in the process's <see cref="SocketBudget"/> (<see cref="CountedListener"/>).
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

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var budget = services.GetRequiredService<SocketBudget>();
        var device = ReferenceEquals(endpoint, listeners.DeviceOptions?.EndPoint);
        if (device && options.Value.DirectUpgrade)
        {
            return DeviceListener.Bind(
                endpoint, services.GetRequiredService<DirectUpgrade>(), budget, options.Value.CloseTimeout, socketOptions.Value, loggers);
        }

        var listener = await _sockets.BindAsync(endpoint, cancellationToken);
        return new CountedListener(listener, budget, device ? Listener.Device : Listener.Internal);
    }
}
