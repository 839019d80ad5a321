using BenchmarkDotNet.Attributes;
using Situk.Broker.Sessions;

namespace Situk.Bench.HotPaths;

/// <summary>
/// The session registry alone, with <see cref="Sessions"/> already registered: what every device connect
/// and disconnect costs (add + remove, with the user and role indexes and presence), and the lookups the
/// admin endpoints and user-targeted publishes make.
/// </summary>
[MemoryDiagnoser]
public class SessionRegistryBenchmarks
{
    private SessionRegistry _registry = null!;
    private Session _extra = null!;
    private string _someSessionId = "";

    [Params(10_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = NullSessions.Registry();
        for (var i = 0; i < Sessions; i++)
        {
            var session = NullSessions.Create("user-" + i);
            _registry.Add(session);
            _someSessionId = session.Id;
        }

        _extra = NullSessions.Create("user-extra");
    }

    [Benchmark(Description = "add + remove one session (connect, disconnect)")]
    public bool AddRemove()
    {
        _registry.Add(_extra);
        return _registry.Remove(_extra);
    }

    [Benchmark(Description = "find by session id")]
    public bool FindById() => _registry.Find(_someSessionId) is not null;

    [Benchmark(Description = "sessions of one user")]
    public int ForUser() => _registry.ForUser("user-4242").Length;
}
