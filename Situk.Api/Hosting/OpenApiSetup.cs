using Microsoft.AspNetCore.Authorization;
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
        }).AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] });
            }

            if (context.Description.HttpMethod == "POST" && context.Description.RelativePath?.TrimEnd('/') is "api/v1/registrations" or "api/v1/notifications")
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = Idempotency.IdempotencyKeys.Header,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "Optional: a retry with the same key and body returns the first answer and creates nothing.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Idempotency.IdempotencyKeys.MaxLength },
                });
            }

            return Task.CompletedTask;
        }));
        return services;
    }
}
