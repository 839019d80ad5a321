using Microsoft.Extensions.Hosting;

namespace Situk.Broker.Telemetry;

/// <summary>
/// Creates the Prometheus export when the host starts (hosted services are built after options are
/// validated and before Kestrel accepts anything), so the meter is listened to before anything counts.
/// </summary>
internal sealed class TelemetryStartup(PrometheusExport export) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(export);
        return Task.CompletedTask;
    }
}
