using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Situk.Api.Texts;

namespace Situk.Api.Digests;

public static class DigestSetup
{
    /// <summary>
    /// Digests of routine notices (<c>Situk:Digests</c>, checked at start: a bad window, item count, kind
    /// or role stops the API naming its key) and the sweeper that writes them.
    /// </summary>
    public static IServiceCollection AddDigests(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DigestOptions>, DigestOptionsValidation>();
        services.AddDigestEmail();
        services.AddSingleton<DigestSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<DigestSweeper>());
        return services;
    }

    /// <summary>
    /// How a digest's words and its email are written (<see cref="DigestComposer"/>, <see cref="DigestEmail"/>):
    /// the sweeper writes digests, the email relay lays their emails out, and a host may run either without the other.
    /// </summary>
    public static IServiceCollection AddDigestEmail(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new DigestComposer(TextCatalog.Embedded, sp.GetRequiredService<Notifications.PullPolicy>()));
        services.TryAddSingleton(sp => new DigestEmail(
            sp.GetRequiredService<DigestComposer>(), sp.GetRequiredService<Notifications.NotificationEmail>(), TextCatalog.Embedded));
        return services;
    }
}
