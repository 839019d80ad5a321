using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Time.Testing;
using Situk.Api.Relay;

namespace Situk.Tests.Relay;

[Description("A relay's wait ends at a set or at its poll interval, whichever comes first, and throws nothing at the interval; sets before a wait count once; the caller's own token still throws.")]
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
    public async Task Waits_that_end_at_the_poll_interval_throw_nothing_and_a_later_set_still_wakes_once()
    {
        var time = new FakeTimeProvider();
        var signal = new WakeSignal(time);
        var thrown = new List<string>();
        var mine = new AsyncLocal<bool> { Value = true }; // this test's flow only: other tests run beside it
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (mine.Value)
            {
                lock (thrown)
                {
                    thrown.Add(e.Exception.GetType().Name);
                }
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var wait = signal.WaitAsync(Poll, CancellationToken.None);
                time.Advance(Poll);
                Assert.That(await wait.WaitAsync(TimeSpan.FromSeconds(1)), Is.False, $"poll {i + 1}");
            }

            var woken = signal.WaitAsync(Poll, CancellationToken.None);
            signal.Set();
            signal.Set();
            Assert.That(await woken.WaitAsync(TimeSpan.FromSeconds(1)), Is.True, "the wait carried over from the polls still sees a set");
            Assert.That(signal.WaitAsync(Poll, CancellationToken.None).IsCompleted, Is.False, "and counts it once");
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.That(thrown, Is.Empty, "an idle relay polls without throwing");
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
