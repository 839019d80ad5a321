using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// One <see cref="SitukDeviceClient"/> per user — the real .NET device client, which reconnects with
/// back-off and jitter, moves to the next broker when its broker fails (given several), acks, drops re-sent
/// ids (the protocol is at-least-once on the wire) and syncs the REST inbox after every reconnect — recording
/// how many times each (user, title) was handed over and when first, and each device's socket history
/// (which broker it was welcomed on, which close code ended a socket, when). A title handed twice
/// therefore means two stored notifications, not a re-send.
/// </summary>
internal sealed class DeviceFleet : IAsyncDisposable
{
    private readonly Dictionary<long, SitukDeviceClient> _clients = [];
    private readonly List<Task> _readers = [];
    private readonly ConcurrentDictionary<(long User, string Title), int> _handed = new();
    private readonly ConcurrentDictionary<(long User, string Title), TimeSpan> _firstAt = new();
    private readonly ConcurrentDictionary<long, ConcurrentQueue<SocketEvent>> _history = new();
    private readonly Stopwatch _clock;
    private readonly HttpClient _http;

    private DeviceFleet(IReadOnlyList<long> users, Stopwatch clock, HttpClient http)
    {
        Users = users;
        _clock = clock;
        _http = http;
    }

    public IReadOnlyList<long> Users { get; }

    public IEnumerable<SitukDeviceClient> Clients => _clients.Values;

    /// <summary>Starts a device for every user on <paramref name="brokerUrl"/> and waits until all of them are open.</summary>
    public static Task<DeviceFleet> StartAsync(IReadOnlyList<long> users, Uri brokerUrl, Uri apiUrl, TestTokens tokens, CancellationToken ct) =>
        StartAsync(users, _ => [brokerUrl], apiUrl, tokens, Stopwatch.StartNew(), ct);

    /// <summary>
    /// Starts a device for every user, holding the broker URLs <paramref name="brokersOf"/> gives for it (one URL:
    /// pinned to that broker; several: starts on a random one and fails over), and waits until all are open.
    /// <paramref name="clock"/> is shared with whoever writes, so "accepted at" and "handed at" compare.
    /// </summary>
    public static async Task<DeviceFleet> StartAsync(
        IReadOnlyList<long> users, Func<long, IReadOnlyList<Uri>> brokersOf, Uri apiUrl, TestTokens tokens, Stopwatch clock, CancellationToken ct)
    {
        // One pool for every device's inbox sync, so a thousand reconnects do not open a thousand connections.
        var fleet = new DeviceFleet(users, clock, new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { Timeout = TimeSpan.FromSeconds(30) });
        foreach (var user in users)
        {
            var id = user.ToString(CultureInfo.InvariantCulture);
            var client = new SitukDeviceClient(
                new SitukClientOptions
                {
                    BrokerUrls = brokersOf(user),
                    ApiUrl = apiUrl,
                    TokenProvider = _ => ValueTask.FromResult(tokens.Issue(id, Roles.Asesi)),
                    DeviceClass = DeviceClasses.Desktop,
                    MinBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(2),
                    OverloadedBackoff = TimeSpan.FromSeconds(1),
                },
                httpClient: fleet._http);
            fleet._clients.Add(user, client);
            var history = fleet._history.GetOrAdd(user, _ => new ConcurrentQueue<SocketEvent>());
            client.StateChanged += change => fleet.Record(history, client, change);
            fleet._readers.Add(fleet.ReadAsync(user, client));
            client.Start();
        }

        await fleet.WaitAllOpenAsync(ct);
        return fleet;
    }

    /// <summary>This user's device.</summary>
    public SitukDeviceClient Device(long user) => _clients[user];

    /// <summary>Whether this user's device was handed a notification with this title.</summary>
    public bool HasReceived(long user, string title) => _handed.ContainsKey((user, title));

    /// <summary>How many times this user's device was handed a notification with this title (0 = not yet).</summary>
    public int Handed(long user, string title) => _handed.GetValueOrDefault((user, title));

    /// <summary>When (on the shared clock) this user's device was first handed this title.</summary>
    public TimeSpan? FirstHandedAt(long user, string title) => _firstAt.TryGetValue((user, title), out var at) ? at : null;

    /// <summary>Re-sent ids the clients saw on the wire and dropped, as the protocol asks.</summary>
    public long DuplicatesDropped => _clients.Values.Sum(c => c.DuplicatesDropped);

    /// <summary>Connections opened beyond the first one per device.</summary>
    public int ReconnectsSoFar => _clients.Values.Sum(c => c.Connections) - _clients.Count;

    /// <summary>This user's sockets so far, oldest first: each welcome (with its broker) and each end (with its close code).</summary>
    public IReadOnlyList<SocketEvent> History(long user) => [.. _history[user]];

    /// <summary>The users whose device is open on <paramref name="broker"/> now.</summary>
    public List<long> OpenOn(Uri broker) =>
        _clients.Where(c => c.Value.State == ClientState.Open && c.Value.CurrentBrokerUrl == broker).Select(c => c.Key).ToList();

    public async Task WaitAllOpenAsync(CancellationToken ct) =>
        await Task.WhenAll(_clients.Values.Select(c => c.WaitForStateAsync(ClientState.Open, ct)));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync();
        }

        await Task.WhenAll(_readers);
        _http.Dispose();
    }

    // Raised on the client's own loop: only a welcome (Open) and the end of a socket (Reconnecting with the
    // close code it saw; none when the connection ended without a close frame, as after a kill) are kept.
    private void Record(ConcurrentQueue<SocketEvent> history, SitukDeviceClient client, ClientStateChange change)
    {
        if (change.State == ClientState.Open)
        {
            history.Enqueue(new SocketEvent(_clock.Elapsed, Opened: true, client.CurrentBrokerUrl, null));
        }
        else if (change.State == ClientState.Reconnecting && (change.CloseCode is not null || history.LastOrDefault() is { Opened: true }))
        {
            history.Enqueue(new SocketEvent(_clock.Elapsed, Opened: false, client.CurrentBrokerUrl, change.CloseCode));
        }
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

/// <summary>
/// One moment of a device's socket: welcomed on <paramref name="Broker"/> (<paramref name="Opened"/>), or the
/// socket on it ended with <paramref name="CloseCode"/> (null: no close frame, e.g. the broker was killed).
/// </summary>
internal sealed record SocketEvent(TimeSpan At, bool Opened, Uri? Broker, int? CloseCode);
