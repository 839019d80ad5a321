using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Situk.Broker.Auth;
using Situk.Broker.Options;

namespace Situk.Broker.Admin;

/// <summary>Management needs <c>Authorization: Bearer &lt;Situk:Broker:AdminKey&gt;</c>, compared in constant time; otherwise 401 problem+json.</summary>
internal sealed class AdminKeyFilter(IOptions<BrokerOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (BearerKey.Matches(context.HttpContext.Request, options.Value.AdminKey))
        {
            return await next(context);
        }

        context.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "The admin key is missing or wrong.");
    }
}
