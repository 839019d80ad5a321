namespace Situk.Api.Escalation;

public static class EscalationSetup
{
    /// <summary>Email escalation of unacknowledged notifications (<c>Situk:Escalation</c>).</summary>
    public static IServiceCollection AddEmailEscalation(this IServiceCollection services)
    {
        services.AddOptions<EscalationOptions>().BindConfiguration(EscalationOptions.Section)
            .Validate(o => o.ScanInterval > TimeSpan.Zero && o.Deadlines.Values.All(d => d > TimeSpan.Zero),
                "Situk:Escalation:ScanInterval and every deadline must be positive.")
            .ValidateOnStart();
        services.AddSingleton<EmailEscalation>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailEscalation>());
        return services;
    }
}
