using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Situk.Broker;
using Situk.Broker.Hosting;
using Situk.Contracts;

namespace Situk.Bench.Delivery;

/// <summary>
/// A real broker in this process on loopback ephemeral ports, with the limits a benchmark needs
/// (no per-address connect throttle), plus token minting and an internal link like the API's.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private const string SigningKey = "situk-bench-signing-key-0123456789abcdef";
    private const string InternalKey = "situk-bench-internal-key-0123456789";
    private readonly WebApplication _app;

    private BenchBroker(WebApplication app) => _app = app;

    public Uri DeviceUri { get; private set; } = null!;

    public Uri InternalUri { get; private set; } = null!;

    public static async Task<BenchBroker> StartAsync(int queueCapacity = 1024)
    {
        var app = BrokerApp.Build([], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Situk:Broker:DeviceUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalKey"] = InternalKey,
            ["Situk:Broker:AdminKey"] = "situk-bench-admin-key-0123456789",
            ["Situk:Jwt:SigningKey"] = SigningKey,
            ["Situk:Broker:ConnectRatePerSecond"] = "1000000",
            ["Situk:Broker:ConnectBurst"] = "1000000",
            ["Situk:Broker:InboundFramesPerSecond"] = "1000000",
            ["Situk:Broker:InboundFrameBurst"] = "1000000",
            ["Situk:Broker:QueueCapacity"] = queueCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        var listeners = app.Services.GetRequiredService<BrokerListeners>();
        return new BenchBroker(app)
        {
            DeviceUri = new Uri($"ws://{listeners.Device}/ws"),
            InternalUri = new Uri($"ws://{listeners.Internal}/internal"),
        };
    }

    public static string Token(string userId, string role = Roles.Asesi) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("role", role)]),
        Issuer = "situk",
        Audience = "situk",
        Expires = DateTime.UtcNow.AddHours(2),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    public async Task<ClientWebSocket> ConnectInternalAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + InternalKey);
        await socket.ConnectAsync(InternalUri, CancellationToken.None);
        // Receipts flow only against credit, as the API grants it: grant it once, for good.
        await socket.SendAsync(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(new ReceiptCreditFrame(int.MaxValue), SitukJson.Default.InternalFrame),
            WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
