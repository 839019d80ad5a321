using Polly;
using Polly.Retry;

namespace Situk.Api.Relay;

/// <summary>
/// The retry the relay's database loops share: transient PostgreSQL faults only, without limit, with
/// jittered exponential back-off from 200 ms up to 5 s, so a restart or failover is waited out without
/// hammering the server. Build it once per owner and keep it in a field.
/// </summary>
internal static class DatabaseRetry
{
    /// <summary>
    /// A pipeline that calls <paramref name="onRetry"/> with the 1-based number of the failed attempt,
    /// the delay before the next one, and the fault's message (for the owner's log).
    /// </summary>
    public static ResiliencePipeline Build(TimeProvider timeProvider, Action<int, TimeSpan, string?> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.IsDatabase),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    onRetry(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
}
