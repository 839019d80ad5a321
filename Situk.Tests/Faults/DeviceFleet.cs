using System.Collections.Concurrent;
using System.Globalization;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

/// <summary>
/// One <see cref="SitukDeviceClient"/> per user — the real .NET device client, which reconnects with
/// back-off and jitter, acks, drops duplicate ids and syncs the REST inbox after every reconnect —
/// recording which notification titles each user's device was handed.
/// </summary>
internal sealed class DeviceFleet : IAsyncDisposable
{
    private readonly List<SitukDeviceClient> _clients = [];
    private readonly List<Task> _readers = [];
    private readonly ConcurrentDictionary<(long User, string Title), byte> _received = new();
    private readonly HttpClient _http;

    private DeviceFleet(HttpClient http) => _http = http;

    public IReadOnlyList<SitukDeviceClient> Clients => _clients;

    /// <summary>Starts a device for every user and waits until all of them are open.</summary>
    public static async Task<DeviceFleet> StartAsync(
        IReadOnlyList<long> users, Uri brokerUrl, Uri apiUrl, TestTokens tokens, CancellationToken ct)
    {
        // One pool for every device's inbox sync, so a thousand reconnects do not open a thousand connections.
        var fleet = new DeviceFleet(new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { Timeout = TimeSpan.FromSeconds(30) });
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
                httpClient: fleet._http);
            fleet._clients.Add(client);
            fleet._readers.Add(fleet.ReadAsync(user, client));
            client.Start();
        }

        await fleet.WaitAllOpenAsync(ct);
        return fleet;
    }

    /// <summary>Whether this user's device was handed a notification with this title.</summary>
    public bool HasReceived(long user, string title) => _received.ContainsKey((user, title));

    public int ReconnectsSoFar => _clients.Sum(c => c.Connections) - _clients.Count;

    public async Task WaitAllOpenAsync(CancellationToken ct) =>
        await Task.WhenAll(_clients.Select(c => c.WaitForStateAsync(ClientState.Open, ct)));

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
            _received.TryAdd((user, notification.Title), 0);
        }
    }
}
