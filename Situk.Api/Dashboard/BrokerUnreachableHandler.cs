using Microsoft.AspNetCore.Diagnostics;

namespace Situk.Api.Dashboard;

/// <summary>The broker's management endpoints are away: 503 problem+json, never a 500.</summary>
public sealed class BrokerUnreachableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BrokerUnreachableException unreachable)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Broker unreachable", Detail = unreachable.Message },
        });
    }
}
