using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Situk.Api.Relay;

namespace Situk.Tests.Relay;

[Description("A relay's wait ends at a set or at its poll interval, whichever comes first; sets before a wait count once; the caller's own token still throws.")]
public sealed class WakeSignalTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    [Test]
    public async Task A_set_before_the_wait_ends_it_at_once_and_counts_once()
    {
        var signal = new WakeSignal(new FakeTimeProvider());
        signal.Set();
        signal.Set();

        Assert.That(await signal.WaitAsync(Poll, CancellationToken.None), Is.True);
        var second = signal.WaitAsync(Poll, CancellationToken.None);
        Assert.That(second.IsCompleted, Is.False, "two sets before one wait count once");
    }

    [Test]
    public async Task A_set_during_the_wait_ends_it_promptly()
    {
        var signal = new WakeSignal(TimeProvider.System);
        var wait = signal.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        signal.Set();

        Assert.That(await wait.WaitAsync(TimeSpan.FromSeconds(1)), Is.True);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(500)));
    }

    [Test]
    public async Task The_poll_interval_ends_the_wait_as_false_and_not_before()
    {
        var time = new FakeTimeProvider();
        var signal = new WakeSignal(time);
        var wait = signal.WaitAsync(Poll, CancellationToken.None);

        time.Advance(Poll - TimeSpan.FromMilliseconds(1));
        Assert.That(wait.IsCompleted, Is.False, "not before the interval");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await wait.WaitAsync(TimeSpan.FromSeconds(1)), Is.False);
    }

    [Test]
    public void The_callers_token_still_throws()
    {
        var signal = new WakeSignal(new FakeTimeProvider());
        using var stop = new CancellationTokenSource();
        var wait = signal.WaitAsync(Poll, stop.Token);
        stop.Cancel();

        Assert.That(async () => await wait.WaitAsync(TimeSpan.FromSeconds(1)), Throws.InstanceOf<OperationCanceledException>());
    }
}
