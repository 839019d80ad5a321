using System.Net;
using Microsoft.AspNetCore.Connections;
using Situk.Broker.Hosting;
using Situk.Broker.Limits;

namespace Situk.Broker.Transport;

/// <summary>
/// Kestrel's own socket listener (the internal listener's) with each accepted connection counted in the
/// <see cref="SocketBudget"/>. The device listener leaves <see cref="SocketBudget.InternalRoom"/> free, so
/// the API's links and management requests are accepted however many devices are connected; past the
/// whole budget a connection is closed at once rather than let the next <c>accept()</c> fail. The device
/// listener gets this too when <c>DirectUpgrade</c> is off, counted in the device share.
/// </summary>
internal sealed class CountedListener(IConnectionListener inner, SocketBudget budget, Listener listener) : IConnectionListener
{
    public EndPoint EndPoint => inner.EndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await inner.AcceptAsync(cancellationToken) is { } connection)
        {
            if (listener == Listener.Internal ? budget.TryTakeInternal() : budget.TryTakeRefusal())
            {
                return new CountedConnection(connection, budget);
            }

            connection.Abort();
            await connection.DisposeAsync();
        }

        return null;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
