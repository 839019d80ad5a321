using Npgsql;

namespace Situk.Api.Preferences;

public static class PreferencesStartup
{
    /// <summary>
    /// Switches email back on for stored choices of groups that hold a mandatory kind now: the writer's
    /// SQL honours the built-in mandatory kinds itself, and this makes the ones named in
    /// <c>Situk:Notifications:MandatoryEmailKinds</c> hold for what was stored before they were named.
    /// </summary>
    public static async Task ReopenLockedEmailAsync(IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        var reopened = await PreferenceStore.ReopenLockedEmailAsync(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<MandatoryEmail>(), ct);
        if (reopened > 0)
        {
            PreferencesLog.Reopened(logger, reopened);
        }
    }
}
