using System.Net;
using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;

namespace Situk.Bench.EndToEnd;

/// <summary>
/// End to end on a real PostgreSQL: one operation is the REST call that causes a notification
/// (<c>POST /api/v1/notifications</c> as an admin, to one candidate) until that candidate's device has
/// received it — through the commit, the outbox relay, the internal socket and the broker — with
/// <see cref="Devices"/> devices connected. PostgreSQL, the broker and the API run as child processes.
/// </summary>
[MemoryDiagnoser]
public class RestToDeviceBenchmarks
{
    private SitukSystem _system = null!;
    private EndToEndDevices _devices = null!;
    private HttpClient _admin = null!;
    private long[] _users = [];
    private DelayRecorder? _current;
    private int _next;

    [Params(1, 1000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _system = await SitukSystem.StartAsync();
        _users = await _system.CreateCandidatesAsync(Devices);
        _devices = new EndToEndDevices(_ => Volatile.Read(ref _current));
        await _devices.ConnectAsync(_system, _users, TimeSpan.FromMinutes(2));
        _admin = await _system.AdminClientAsync();
    }

    [Benchmark(Description = "REST call → the candidate's device received it")]
    public async Task RestToDevice()
    {
        var received = new DelayRecorder("op", 1);
        Volatile.Write(ref _current, received);
        var userId = _users[_next++ % _users.Length];
        using var response = await _admin.PostAsync("api/v1/notifications", JsonBody.Of(
            new { to = new { userIds = new[] { userId } }, title = "Pengumuman", body = "Jadwal uji kompetensi diperbarui." }));
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/v1/notifications answered {(int)response.StatusCode}.");
        }

        await received.Complete.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _admin.Dispose();
        await _devices.DisposeAsync();
        await _system.DisposeAsync();
    }
}
