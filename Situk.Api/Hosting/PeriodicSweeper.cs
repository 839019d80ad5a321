using Situk.Api.Relay;

namespace Situk.Api.Hosting;

/// <summary>
/// A background job that sweeps once at start and then every <see cref="Interval"/>. A database that is away costs
/// one round (reported through <see cref="SweepFailed"/>), never the job; shutting down ends it quietly.
/// </summary>
public abstract class PeriodicSweeper(TimeProvider time) : BackgroundService
{
    /// <summary>The clock the rounds run on, for the sweep's own "now" too.</summary>
    protected TimeProvider Time => time;

    /// <summary>How long from one round to the next.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One round; how many rows it handled.</summary>
    public abstract Task<int> SweepOnceAsync(CancellationToken ct);

    /// <summary>Reports a round lost to the database being away.</summary>
    protected abstract void SweepFailed(string error);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await SweepOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (Transient.IsDatabase(ex))
                {
                    SweepFailed(ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
