namespace Situk.Tests.Broker;

/// <summary>Generous deadlines for socket tests on a busy 2-core machine: they bound a hang, they never measure speed.</summary>
internal static class Timeouts
{
    public static CancellationTokenSource Generous() => new(TimeSpan.FromSeconds(30));
}
