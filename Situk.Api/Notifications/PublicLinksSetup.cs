using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Situk.Api.Notifications;

public static class PublicLinksSetup
{
    /// <summary>
    /// <see cref="PublicLinks"/> from <c>Situk:PublicWebUrl</c>, checked at start, and the
    /// <see cref="NotificationEmail"/> layout built on it.
    /// </summary>
    public static IServiceCollection AddPublicLinks(this IServiceCollection services)
    {
        services.AddOptions<PublicWebOptions>().BindConfiguration(PublicWebOptions.Section)
            .Validate(PublicLinks.IsValidBase, "Situk:PublicWebUrl must be an absolute http:// or https:// URL without query or fragment, e.g. https://lsp.example.")
            .ValidateOnStart();
        services.TryAddSingleton<PublicLinks>();
        services.TryAddSingleton<NotificationEmail>();
        return services;
    }
}
