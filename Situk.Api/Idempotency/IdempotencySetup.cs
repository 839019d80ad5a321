namespace Situk.Api.Idempotency;

public static class IdempotencySetup
{
    /// <summary>The background sweeper of expired idempotency keys (<c>Situk:Idempotency</c>).</summary>
    public static IServiceCollection AddIdempotencySweeper(this IServiceCollection services)
    {
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IdempotencySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<IdempotencySweeper>());
        return services;
    }
}
