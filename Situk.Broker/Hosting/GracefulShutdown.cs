using Microsoft.Extensions.Hosting;
using Situk.Broker.Internal;
using Situk.Broker.Sessions;
using Situk.Contracts;

namespace Situk.Broker.Hosting;

/// <summary>
/// When the host starts stopping, every device session and API link is asked to close with 1001
/// ("going away: reconnect, possibly elsewhere"). Kestrel then waits for its connections, and the device
/// listener for its direct sessions (<see cref="Transport.DeviceListener"/>), to finish their close
/// handshakes, each bounded by <c>CloseTimeoutSeconds</c>.
/// </summary>
internal sealed class GracefulShutdown(IHostApplicationLifetime lifetime, SessionRegistry sessions, LinkRegistry links) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(CloseAll);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CloseAll();
        _registration.Dispose();
        return Task.CompletedTask;
    }

    private void CloseAll()
    {
        foreach (var session in sessions.All)
        {
            session.Close(CloseCodes.GoingAway, "server shutting down");
        }

        foreach (var link in links.All)
        {
            link.Writer.RequestClose(CloseCodes.GoingAway, "server shutting down");
        }
    }
}
