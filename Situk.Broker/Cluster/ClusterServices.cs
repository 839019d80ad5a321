using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Situk.Broker.Fanout;
using Situk.Broker.Internal;

namespace Situk.Broker.Cluster;

/// <summary>Chooses what carries the broker's messages up to the API: NATS when <c>Situk:Nats:Url</c> is set, else the internal sockets.</summary>
internal static class ClusterServices
{
    public static IServiceCollection AddApiUplink(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NatsClusterOptions>().BindConfiguration(NatsClusterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NatsClusterOptions>, Situk.Nats.NatsConnectionOptionsValidator<NatsClusterOptions>>();
        services.AddSingleton<ClusterCounters>();
        services.AddSingleton<BrokerNode>();
        services.AddSingleton<Admin.LocalAdmin>();
        services.AddSingleton<Admin.AdminScope>();
        if (configuration[NatsClusterOptions.Section + ":Url"] is not { Length: > 0 })
        {
            services.AddSingleton<IApiUplink>(sp => sp.GetRequiredService<LinkRegistry>());
            return services;
        }

        services.AddSingleton<NatsUplink>();
        services.AddSingleton<IApiUplink>(sp => sp.GetRequiredService<NatsUplink>());
        services.AddHostedService(sp => sp.GetRequiredService<NatsUplink>());
        services.AddSingleton<ClusterAdmin>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterAdmin>());
        services.AddOptions<RebalanceOptions>().BindConfiguration(RebalanceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RebalanceOptions>, RebalanceOptionsValidator>();
        services.AddSingleton<Rebalancer>();
        services.AddHostedService(sp => sp.GetRequiredService<Rebalancer>());
        return services;
    }
}
