namespace Situk.Api.Evidence;

public static class EvidenceSetup
{
    /// <summary>The <c>Situk:Evidence</c> limits, checked at start so a bad value fails before anything serves.</summary>
    public static IServiceCollection AddEvidence(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>()
            .BindConfiguration(EvidenceOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxRegistrationBytes >= o.MaxFileBytes, $"{EvidenceOptions.Section}:MaxRegistrationBytes must be at least MaxFileBytes.")
            .ValidateOnStart();
        return services;
    }
}
