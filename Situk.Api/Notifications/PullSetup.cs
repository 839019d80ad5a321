using Situk.Contracts;

namespace Situk.Api.Notifications;

public static class PullSetup
{
    /// <summary>Pull after push for sensitive kinds (<c>Situk:Notifications:Pull</c>); every kind named must exist.</summary>
    public static IServiceCollection AddPullAfterPush(this IServiceCollection services)
    {
        services.AddOptions<PullOptions>().BindConfiguration(PullOptions.Section)
            .Validate(o => o.Pull.Keys.All(NotificationKinds.IsKnown),
                "Situk:Notifications:Pull names a kind that does not exist (see docs/API.md, Notification kinds).")
            .ValidateOnStart();
        services.AddSingleton<PullPolicy>();
        return services;
    }
}
