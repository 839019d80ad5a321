using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Situk.Api.Relay;

namespace Situk.Tests.Relay;

/// <summary>
/// The relays hosted the way the API hosts them (<c>AddNpgsqlDataSource</c> + <c>AddRelays</c>) in a
/// minimal generic host, with short delays so faults recover quickly in tests.
/// </summary>
internal sealed class RelayHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RelayHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static Dictionary<string, string?> Defaults(string brokerInternalUrl, string internalKey, int smtpPort) => new()
    {
        ["Situk:Api:BrokerInternalUrl"] = brokerInternalUrl,
        ["Situk:Broker:InternalKey"] = internalKey,
        ["Situk:Relay:PollInterval"] = "00:00:01",
        ["Situk:Relay:RetryBaseDelay"] = "00:00:00.100",
        ["Situk:Relay:RetryMaxDelay"] = "00:00:01",
        ["Situk:Relay:ReconnectBaseDelay"] = "00:00:00.100",
        ["Situk:Relay:ReconnectMaxDelay"] = "00:00:01",
        ["Situk:Smtp:Host"] = "127.0.0.1",
        ["Situk:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Situk:Smtp:From"] = "SITUK <noreply@situk.test>",
        ["Situk:Smtp:Timeout"] = "00:00:05",
        ["Situk:Smtp:QuickRetries"] = "1",
        ["Situk:Smtp:QuickRetryDelay"] = "00:00:00.050",
        ["Situk:Smtp:RetryBaseDelay"] = "00:00:00.200",
        ["Situk:Smtp:RetryMaxDelay"] = "00:00:01",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <param name="logs">Where the host's log lines go (none by default).</param>
    public static async Task<RelayHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddNpgsqlDataSource(connectionString);
        builder.Services.AddRelays(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new RelayHost(host);
    }

    public T Service<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
