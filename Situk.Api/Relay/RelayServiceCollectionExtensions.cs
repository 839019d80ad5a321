using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Situk.Api.Digests;
using Situk.Api.Notifications;
using Situk.Api.Preferences;

namespace Situk.Api.Relay;

/// <summary>The one entry point that puts the outbox relays into a host.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the broker link, the push relay, the receipt writer, the presence re-sender, the email relay
    /// and the "broker" health check (tagged "ready"). Options are bound from <c>Situk:Relay</c>,
    /// <c>Situk:Smtp</c>, <c>Situk:Api:BrokerInternalUrl</c> and <c>Situk:Broker:InternalKey</c> and
    /// validated at start. The host must register an <see cref="Npgsql.NpgsqlDataSource"/>
    /// (<c>AddNpgsqlDataSource</c> with <c>ConnectionStrings:Situk</c>).
    /// </summary>
    public static IServiceCollection AddRelays(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RelayOptions>()
            .Bind(configuration.GetSection(RelayOptions.Section))
            .Configure(o =>
            {
                o.BrokerInternalUrl = configuration["Situk:Api:BrokerInternalUrl"] is { Length: > 0 } url ? url : o.BrokerInternalUrl;
                o.InternalKey = configuration["Situk:Broker:InternalKey"] ?? o.InternalKey;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RelayOptions>, RelayOptionsValidation>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, RelayOptionsValidation>());

        services.TryAddSingleton(TimeProvider.System);
        // What the push and email relays send for a pulled kind (Situk:Notifications:Pull).
        services.AddPullAfterPush();
        // The base of every link in an email (Situk:PublicWebUrl).
        services.AddPublicLinks();
        // Which emails may be unsubscribed from, and the link that does it (Situk:Notifications).
        services.AddNotificationPreferences();
        // A digest's email is laid out when it is sent, from the items it carried.
        services.AddDigestEmail();
        services.AddSingleton<BrokerInbound>();
        services.AddSingleton<OutboxListener>();
        services.AddSingleton<SmtpSender>();
        // What carries pushes to the brokers: NATS when Situk:Nats:Url is set, else the internal socket to one broker.
        services.AddOptions<Situk.Nats.NatsConnectionOptions>().Bind(configuration.GetSection(Situk.Nats.NatsConnectionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Situk.Nats.NatsConnectionOptions>, Situk.Nats.NatsConnectionOptionsValidator<Situk.Nats.NatsConnectionOptions>>();
        // Chosen when first resolved, not here: a host may add configuration after its services.
        services.AddSingleton<Cluster.NatsBrokerTransport>();
        services.AddSingleton<BrokerLink>();
        services.AddSingleton<IBrokerTransport>(sp => sp.GetRequiredService<IOptions<Situk.Nats.NatsConnectionOptions>>().Value.Url is { Length: > 0 }
            ? sp.GetRequiredService<Cluster.NatsBrokerTransport>()
            : sp.GetRequiredService<BrokerLink>());
        services.AddHostedService(sp => (BackgroundService)sp.GetRequiredService<IBrokerTransport>());

        services.AddHostedService<PushRelay>();
        // Pushes a request has just committed, straight to the broker link (Situk:Relay:HandOffHold).
        services.AddSingleton<PushHandOff>();
        services.AddHostedService(sp => sp.GetRequiredService<PushHandOff>());
        services.AddHostedService<ReceiptWriter>();
        services.AddHostedService<WrittenWriter>();
        services.AddHostedService<PresenceResender>();
        services.AddHostedService<EmailRelay>();
        services.AddHostedService<ReadSync>();

        services.AddHealthChecks().AddCheck<BrokerLinkHealthCheck>(BrokerLinkHealthCheck.Name, tags: ["ready"]);
        return services;
    }
}
