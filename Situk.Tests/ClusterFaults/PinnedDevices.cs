using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// One <see cref="SitukDeviceClient"/> per user, every one pinned to the same broker URL (no failover to
/// another broker), recording how many times each (user, title) was handed over and when first. The client
/// acks what it is handed, drops re-sent ids (the protocol is at-least-once on the wire) and syncs the REST
/// inbox after a reconnect; a count above one therefore means two stored notifications, not a re-send.
/// </summary>
internal sealed class PinnedDevices : IAsyncDisposable
{
    private readonly List<SitukDeviceClient> _clients = [];
    private readonly List<Task> _readers = [];
    private readonly ConcurrentDictionary<(long User, string Title), int> _handed = new();
    private readonly ConcurrentDictionary<(long User, string Title), TimeSpan> _firstAt = new();
    private readonly Stopwatch _clock;
    private readonly HttpClient _http;

    private PinnedDevices(Stopwatch clock, HttpClient http)
    {
        _clock = clock;
        _http = http;
    }

    public IReadOnlyList<long> Users { get; private set; } = [];

    /// <summary>Starts a device for each of <paramref name="users"/> on <paramref name="brokerUrl"/> and waits until all are open.</summary>
    public static async Task<PinnedDevices> StartAsync(
        IReadOnlyList<long> users, Uri brokerUrl, Uri apiUrl, TestTokens tokens, Stopwatch clock, CancellationToken ct)
    {
        var devices = new PinnedDevices(clock, new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(30) })
        {
            Users = users,
        };
        foreach (var user in users)
        {
            var id = user.ToString(CultureInfo.InvariantCulture);
            var client = new SitukDeviceClient(
                new SitukClientOptions
                {
                    BrokerUrl = brokerUrl,
                    ApiUrl = apiUrl,
                    TokenProvider = _ => ValueTask.FromResult(tokens.Issue(id, Roles.Asesi)),
                    DeviceClass = DeviceClasses.Desktop,
                    MinBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(2),
                    OverloadedBackoff = TimeSpan.FromSeconds(1),
                },
                httpClient: devices._http);
            devices._clients.Add(client);
            devices._readers.Add(devices.ReadAsync(user, client));
            client.Start();
        }

        await Task.WhenAll(devices._clients.Select(c => c.WaitForStateAsync(ClientState.Open, ct)));
        return devices;
    }

    /// <summary>How many times this user's device was handed a notification with this title (0 = not yet).</summary>
    public int Handed(long user, string title) => _handed.GetValueOrDefault((user, title));

    /// <summary>When (on the shared clock) this user's device was first handed this title.</summary>
    public TimeSpan? FirstHandedAt(long user, string title) => _firstAt.TryGetValue((user, title), out var at) ? at : null;

    /// <summary>Re-sent ids the clients saw on the wire and dropped, as the protocol asks.</summary>
    public long DuplicatesDropped => _clients.Sum(c => c.DuplicatesDropped);

    /// <summary>Connections opened beyond the first one per device.</summary>
    public int Reconnects => _clients.Sum(c => c.Connections) - _clients.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Task.WhenAll(_readers);
        _http.Dispose();
    }

    private async Task ReadAsync(long user, SitukDeviceClient client)
    {
        await foreach (var notification in client.Notifications.ReadAllAsync())
        {
            _firstAt.TryAdd((user, notification.Title), _clock.Elapsed);
            _handed.AddOrUpdate((user, notification.Title), 1, (_, n) => n + 1);
        }
    }
}
