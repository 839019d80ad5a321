namespace Situk.Api.Dashboard;

/// <summary>The admin dashboard: its API routes, the broker management client, and the page at <c>/admin</c>.</summary>
public static class DashboardSetup
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<BrokerAdminPipeline>();
        services.AddHttpClient<BrokerAdminClient>();
        services.AddExceptionHandler<BrokerUnreachableHandler>();
        return services;
    }
}
