using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Situk.Api.Hosting;

/// <summary><c>/openapi/v1.json</c>: every route with its schemas, and the bearer scheme the protected ones use.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddSitukOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Situk API",
                Version = "v1",
                Description = "SITUK-V2 competency tests: accounts, schemes, schedules, registrations from APL-01 to the verdict, and the notification inbox.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The accessToken from POST /api/v1/auth/token.",
            };
            return Task.CompletedTask;
        }));
        return services;
    }
}
