using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;

namespace Situk.Api.Errors;

/// <summary>
/// Every error is problem+json: bad bodies, validation, auth refusals, empty 4xx results and crashes, each
/// in the reader's language with a stable <c>code</c> (<see cref="ProblemWords"/>).
/// </summary>
public static class ProblemSetup
{
    public static IServiceCollection AddSitukProblems(this IServiceCollection services)
    {
        // Every problem's words, in the reader's language, with its code (ProblemWords).
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemWords.Write);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        // Throw instead of answering an empty 400, so BadRequestExceptionHandler can name the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.MaxDepth = 32;
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(NulFreeStrings.Refuse);
        });
        return services;
    }

    public static WebApplication UseSitukProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
