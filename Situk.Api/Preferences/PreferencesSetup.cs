using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Situk.Api.Preferences;

public static class PreferencesSetup
{
    /// <summary>
    /// <see cref="MandatoryEmail"/> and <see cref="EmailUnsubscribe"/> from <c>Situk:Notifications</c>
    /// (<c>MandatoryEmailKinds</c>, <c>UnsubscribeLinkLifetime</c>), checked at start: a kind that does not exist stops the host.
    /// </summary>
    public static IServiceCollection AddNotificationPreferences(this IServiceCollection services)
    {
        services.AddOptions<PreferenceOptions>().BindConfiguration(PreferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<MandatoryEmail>();
        services.TryAddSingleton<EmailUnsubscribe>();
        return services;
    }
}
