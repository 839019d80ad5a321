using BenchmarkDotNet.Attributes;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Contracts;

namespace Situk.Bench.HotPaths;

/// <summary>
/// Fan-out without the network: one broadcast serialised once and queued to every session of a role,
/// timed until every session's writer has written it (into <see cref="Stream.Null"/>) — drained, not
/// merely enqueued. The difference to the loopback fan-out benchmark is what the sockets cost.
/// </summary>
[MemoryDiagnoser]
public class FanoutEnqueueBenchmarks
{
    private readonly List<Session> _sessions = [];
    private readonly List<Task> _writers = [];
    private readonly CancellationTokenSource _stop = new();
    private Publisher _publisher = null!;
    private PushNotification _notification = null!;
    private long _sent;
    private long _target;
    private TaskCompletionSource _drained = new();

    [Params(1_000, 10_000)]
    public int Sessions { get; set; }

    [Params(64, 16 * 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = NullSessions.Registry();
        for (var i = 0; i < Sessions; i++)
        {
            var session = NullSessions.Create("user-" + i, onSent: OnSent);
            registry.Add(session);
            _sessions.Add(session);
            _writers.Add(session.Writer.RunAsync(_stop.Token));
        }

        _publisher = new Publisher(registry, NullSessions.Metrics(), TimeProvider.System);
        _notification = new PushNotification(1, NotificationKinds.AdminMessage, "Pengumuman", new string('x', PayloadBytes), null, null, DateTimeOffset.UtcNow);
    }

    [Benchmark(Description = "publish to a role → every writer drained")]
    public Task Broadcast()
    {
        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, Interlocked.Read(ref _sent) + Sessions);
        _publisher.Publish(Audience.ForRole(Roles.Asesi), _notification);
        return _drained.Task;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop.CancelAsync();
        foreach (var session in _sessions)
        {
            session.Close(CloseCodes.GoingAway, "benchmark over");
        }

        await Task.WhenAll(_writers);
        _stop.Dispose();
    }

    private void OnSent()
    {
        if (Interlocked.Increment(ref _sent) == Volatile.Read(ref _target))
        {
            _drained.TrySetResult();
        }
    }
}
