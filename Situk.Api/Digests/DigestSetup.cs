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
        services.AddSingleton(sp => new DigestComposer(
            TextCatalog.Embedded, sp.GetRequiredService<Notifications.PullPolicy>(), sp.GetRequiredService<Notifications.PublicLinks>()));
        services.AddSingleton<DigestSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<DigestSweeper>());
        return services;
    }
}
