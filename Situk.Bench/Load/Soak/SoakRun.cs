using HdrHistogram;

namespace Situk.Bench.Load.Soak;

/// <summary>Everything one soak measured, and whether it passed.</summary>
internal sealed record SoakRun(
    IReadOnlyList<SoakSample> Samples,
    IReadOnlyList<GrowthVerdict> Verdicts,
    long IdleRssBytes,
    long SessionsOpened,
    long Churned,
    int ChurningDevices,
    IReadOnlyDictionary<string, int> Refused,
    IReadOnlyDictionary<string, int> ClosedByServer,
    int Published,
    long Owed,
    long Received,
    long Lost,
    long Duplicates,
    LongHistogram Delays,
    bool BrokerAlive,
    string? PublishError)
{
    public IEnumerable<string> Failures
    {
        get
        {
            foreach (var v in Verdicts.Where(v => !v.Passed))
            {
                yield return $"{v.Check.Name} grew: {v.Why}";
            }

            if (Lost > 0)
            {
                yield return $"{Lost:N0} of {Owed:N0} owed deliveries lost";
            }

            if (ClosedByServer.Count > 0)
            {
                yield return "the broker closed devices: " + string.Join(", ", ClosedByServer.Select(kv => $"{kv.Key} × {kv.Value}"));
            }

            if (!BrokerAlive)
            {
                yield return "the broker died";
            }

            if (PublishError is not null)
            {
                yield return PublishError;
            }

            if (Published == 0)
            {
                yield return "nothing was published";
            }
        }
    }

    public bool Passed => !Failures.Any();
}
