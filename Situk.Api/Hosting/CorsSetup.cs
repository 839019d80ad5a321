using Microsoft.Extensions.Options;

namespace Situk.Api.Hosting;

/// <summary>
/// CORS for browser clients on other origins (the broker's device page on :5080 signs in here).
/// PATCH is allowed for the page's language and zone setting (<c>PATCH /me</c>).
/// Bearer tokens only, no credentials: origins come from <c>Situk:Api:AllowedOrigins</c>, empty = any.
/// </summary>
internal static class CorsSetup
{
    public static IServiceCollection AddSitukCors(this IServiceCollection services)
    {
        services.AddCors();
        return services;
    }

    public static IApplicationBuilder UseSitukCors(this IApplicationBuilder app)
    {
        var origins = app.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.AllowedOrigins
            .SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        return app.UseCors(policy =>
        {
            policy.AllowAnyHeader().WithMethods("GET", "POST", "PUT", "PATCH", "DELETE").WithExposedHeaders("Location", "Retry-After");
            if (origins.Length == 0)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }
        });
    }
}
