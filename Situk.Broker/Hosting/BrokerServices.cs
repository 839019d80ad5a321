using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Situk.Broker.Auth;
using Situk.Broker.Devices;
using Situk.Broker.Fanout;
using Situk.Broker.Internal;
using Situk.Broker.Limits;
using Situk.Broker.Options;
using Situk.Broker.Receipts;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Broker.Transport;
using Situk.Contracts;

namespace Situk.Broker.Hosting;

/// <summary>The broker's parts in the container, and its options bound and checked at start.</summary>
internal static class BrokerServices
{
    public static IServiceCollection AddBrokerOptions(this IServiceCollection services)
    {
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.Section).ValidateOnStart();
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section)
            .PostConfigure<IConfiguration>((o, config) =>
            {
                o.AllowedOrigins = ReadList(config, nameof(BrokerOptions.AllowedOrigins));
                o.KnownProxies = ReadList(config, nameof(BrokerOptions.KnownProxies));
                o.KnownNetworks = ReadList(config, nameof(BrokerOptions.KnownNetworks));
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>();
        return services;
    }

    public static IServiceCollection AddBroker(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BrokerListeners>();
        // Kestrel is built with the WebApplication, before options are validated at start: bind the raw
        // section here so a bad key is reported by ValidateOnStart with every other problem at once.
        services.AddOptions<KestrelServerOptions>()
            .Configure<IConfiguration, BrokerListeners>((kestrel, config, listeners) =>
                KestrelSetup.Configure(kestrel, config.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new(), listeners));

        // What Kestrel serves (the internal link, /admin/publish, the page; not the direct device sessions, which
        // write their own sockets) resumes on the worker that completed the socket read or flushed the answer,
        // instead of queueing two more work items per frame. Socket completions themselves stay on thread-pool
        // workers, so nothing runs on the socket engine's thread (docs/benchmarks.md, "Kestrel's pipes resumed inline").
        services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);

        // Stopping is bounded: every socket is asked to close with 1001 and aborted after CloseTimeoutSeconds,
        // so the host need not wait the framework's default 30 s for a connection that will not finish.
        services.AddOptions<HostOptions>()
            .Configure<IConfiguration>((host, config) =>
                host.ShutdownTimeout = TimeSpan.FromSeconds((config.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new()).CloseTimeoutSeconds + 2));

        services.AddSingleton<TokenValidator>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<Page.PageSecurity>();
        services.AddSingleton<ConnectionGate>();
        services.AddSingleton<ClientAddresses>();
        services.AddSingleton(_ => SocketBudget.ForThisProcess());
        services.AddSingleton<LinkRegistry>();
        services.AddSingleton<SessionRegistry>();
        services.AddHostedService<TokenExpirySweep>();
        services.AddHostedService<HeartbeatSweep>();
        services.AddSingleton(sp =>
        {
            var metrics = new BrokerMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            var registry = sp.GetRequiredService<SessionRegistry>();
            metrics.ObserveSessions(() => registry.Count, () => registry.UserCount);
            return metrics;
        });
        services.AddSingleton<PrometheusExport>();
        services.AddHostedService<TelemetryStartup>();
        services.AddSingleton<Publisher>();
        services.AddSingleton<ReceiptBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ReceiptBatcher>());
        services.AddSingleton<WrittenBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WrittenBatcher>());
        services.AddHostedService<GracefulShutdown>();
        services.AddSingleton<DeviceEndpoint>();
        services.AddSingleton<DirectUpgrade>();
        services.RemoveAll<IConnectionListenerFactory>();
        services.AddSingleton<IConnectionListenerFactory, DeviceTransportFactory>();
        services.AddSingleton<InternalEndpoint>();

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SitukJson.Default));
        return services;
    }

    /// <summary>A list option as a JSON array, an indexed list (<c>__0</c>, <c>__1</c>) or one comma-separated string.</summary>
    private static string[] ReadList(IConfiguration config, string key)
    {
        var section = config.GetSection($"{BrokerOptions.Section}:{key}");
        IEnumerable<string?> values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value);
        return [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }
}
