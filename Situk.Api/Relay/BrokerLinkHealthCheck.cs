using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Situk.Api.Relay;

/// <summary>
/// The "broker" readiness check: Healthy while the link is open, Degraded while it reconnects (the
/// API still takes requests; pushes wait in the outbox) or while NATS refuses some of its traffic,
/// Unhealthy once the host is stopping.
/// </summary>
internal sealed class BrokerLinkHealthCheck(IBrokerTransport link) : IHealthCheck
{
    public const string Name = "broker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(link.State switch
        {
            BrokerLinkState.Connected => HealthCheckResult.Healthy("Connected to the broker."),
            BrokerLinkState.Retrying => HealthCheckResult.Degraded("Reconnecting to the broker: " + (link.LastError ?? "not connected yet")),
            BrokerLinkState.Refused => HealthCheckResult.Degraded("NATS refuses this instance's traffic (its user lacks the API's permissions): " + link.LastError),
            _ => HealthCheckResult.Unhealthy("The broker link is stopped."),
        });
}
