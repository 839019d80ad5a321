using System.Globalization;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Contracts;

namespace Situk.Bench.Load.Targets;

/// <summary>
/// Situk's broker as a child process (<c>dotnet Situk.Broker.dll</c>, configured through <c>Situk__…</c>
/// environment variables), one user per device, broadcasts published to the <c>asesi</c> role through the
/// internal socket exactly as the API sends them.
/// </summary>
internal sealed class SitukTarget : LoadTarget
{
    private const string SigningKey = "situk-load-signing-key-0123456789abcdef";
    private const string InternalKey = "situk-load-internal-key-0123456789";
    private const string AdminKey = "situk-load-admin-key-0123456789";
    private static readonly SigningCredentials Credentials =
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256);

    private readonly JsonWebTokenHandler _tokens = new();
    private int[] _devicePorts = [];
    private int _internalPort;

    public override string Name => "situk";

    /// <summary>Cluster mode: the NATS server the broker joins (<c>Situk:Nats:Url</c>); null runs it alone.</summary>
    public string? NatsUrl { get; init; }

    /// <summary>The broker's <c>Situk:Broker:NodeName</c> (and NATS connection name) in a cluster.</summary>
    public string? NodeName { get; init; }

    public int DevicePort => _devicePorts[0];

    public int InternalPort => _internalPort;

    /// <summary>Called with every notification a device reads (a load agent takes the send time from it).</summary>
    public Action<NotificationFrame>? Seen { get; set; }

    /// <summary>Brokers started elsewhere (by the load agent's parent): device <c>i</c> connects to port <c>i mod n</c>.</summary>
    public static SitukTarget Attach(int[] devicePorts) => new() { _devicePorts = devicePorts };

    protected override async Task<ChildProcess> LaunchAsync(LoadOptions options)
    {
        var ports = ChildProcess.FreePorts(2);
        (_devicePorts, _internalPort) = ([ports[0]], ports[1]);
        var environment = new Dictionary<string, string>
        {
            ["Situk__Broker__DeviceUrl"] = $"http://127.0.0.1:{DevicePort}",
            ["Situk__Broker__InternalUrl"] = $"http://127.0.0.1:{_internalPort}",
            ["Situk__Broker__InternalKey"] = InternalKey,
            ["Situk__Broker__AdminKey"] = AdminKey,
            ["Situk__Jwt__SigningKey"] = SigningKey,
            // A load generator is a handful of addresses opening thousands of sockets: lift the per-address bucket.
            ["Situk__Broker__ConnectRatePerSecond"] = "1000000",
            ["Situk__Broker__ConnectBurst"] = "1000000",
            // Bursts of broadcasts make every device ack faster than a person could: lift the inbound bucket too.
            ["Situk__Broker__InboundFramesPerSecond"] = "1000000",
            ["Situk__Broker__InboundFrameBurst"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (options.QueueCapacity > 0)
        {
            environment["Situk__Broker__QueueCapacity"] = options.QueueCapacity.ToString(CultureInfo.InvariantCulture);
        }

        if (NatsUrl is not null)
        {
            environment["Situk__Nats__Url"] = NatsUrl;
            environment["Situk__Nats__Name"] = "situk-" + NodeName;
            environment["Situk__Broker__NodeName"] = NodeName ?? "broker";
            // The bench places each device on a broker and its devices do not reconnect: a session moved away is a loss here.
            environment["Situk__Cluster__Rebalance__Enabled"] = "false";
        }

        if (options.MaxConnections > 0)
        {
            environment["Situk__Broker__MaxConnections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture);
        }

        var process = ChildProcess.Start(NodeName ?? "broker", options.BrokerDll ?? "Situk.Broker.dll", [], environment);
        await process.WaitHealthyAsync(new Uri($"http://127.0.0.1:{_internalPort}/healthz"), TimeSpan.FromSeconds(30));
        return process;
    }

    /// <summary>A GET on the broker's management listener (<c>/metrics</c>, <c>/admin/stats</c>) with the admin key.</summary>
    public async Task<string> GetAdminAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{_internalPort}{path}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public override Uri DeviceUri(int index, string deviceClass) =>
        new($"ws://127.0.0.1:{_devicePorts[index % _devicePorts.Length]}/ws?device={deviceClass}&deviceId=load-{index}");

    public override void Prepare(ClientWebSocket socket, int index) =>
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Token(UserOf(index)));

    /// <summary>The user (token <c>sub</c>) device <paramref name="index"/> signs in as: one user per device.</summary>
    public static string UserOf(int index) => "load-user-" + index.ToString(CultureInfo.InvariantCulture);

    public override void ReadNotificationIds(ReadOnlySpan<byte> message, List<long> ids)
    {
        if (JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame) is NotificationFrame notification)
        {
            Seen?.Invoke(notification);
            ids.Add(notification.Id);
        }
    }

    public override byte[] Ack(long id) =>
        JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame([id]), SitukJson.Default.DeviceFrame);

    public override byte[] Ack(long[] ids, int[] delays) =>
        JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame(ids, delays), SitukJson.Default.DeviceFrame);

    /// <summary><c>POST /admin/publish</c> to the device's user with the admin key; the broker gives the id (negative, ephemeral).</summary>
    public override HttpRequestMessage PublishRequest(int deviceIndex, long id, int payloadBytes) =>
        new(HttpMethod.Post, new Uri($"http://127.0.0.1:{_internalPort}/admin/publish"))
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey) },
            Content = Json(JsonSerializer.SerializeToUtf8Bytes(
                new AdminPublishRequest(Audience.Users(UserOf(deviceIndex)), new AdminNotification(NotificationKinds.AdminMessage, "Pengumuman", new string('x', payloadBytes))),
                SitukJson.Default.AdminPublishRequest)),
        };

    /// <summary>A JSON body with its <c>Content-Length</c>, as curl or any client with the body in hand sends it (not chunked).</summary>
    public static ByteArrayContent Json(byte[] body) => new(body) { Headers = { { "Content-Type", "application/json" } } };

    public override async Task<PublishLink> ConnectPublisherAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + InternalKey);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_internalPort}/internal"), cancellationToken);
        // The link drains everything it is sent: grant receipt credit once, for good.
        await socket.SendAsync(
            JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(new ReceiptCreditFrame(int.MaxValue), SitukJson.Default.InternalFrame),
            WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        return new PublishLink(socket, static (id, bytes) =>
        {
            var frame = new PublishFrame(id, Audience.ForRole(Roles.Asesi), new PushNotification(
                id, NotificationKinds.AdminMessage, "Pengumuman", new string('x', bytes), null, null, DateTimeOffset.UtcNow));
            return JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(frame, SitukJson.Default.InternalFrame);
        });
    }

    private string Token(string userId) => _tokens.CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("role", Roles.Asesi)]),
        Issuer = "situk",
        Audience = "situk",
        Expires = DateTime.UtcNow.AddDays(1), // a soak's stable devices keep their first token for the whole run
        SigningCredentials = Credentials,
    });
}
