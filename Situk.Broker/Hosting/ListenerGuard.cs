using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Situk.Broker.Hosting;

/// <summary>
/// Runs after routing: an endpoint marked <see cref="OnListener"/> reached through the other listener is
/// answered 404, exactly as if it did not exist there (device routes never appear on the internal port,
/// and management never on the public one).
/// </summary>
internal static class ListenerGuard
{
    public static IApplicationBuilder UseListenerGuard(this IApplicationBuilder app)
    {
        var listeners = app.ApplicationServices.GetRequiredService<BrokerListeners>();
        return app.Use(async (context, next) =>
        {
            var required = context.GetEndpoint()?.Metadata.GetMetadata<OnListener>();
            if (required is not null && listeners.Of(context.Connection.LocalPort) != required.Listener)
            {
                context.SetEndpoint(null);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
    }

    /// <summary>Marks the endpoint(s) as served on <paramref name="listener"/> only.</summary>
    public static TBuilder On<TBuilder>(this TBuilder builder, Listener listener)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OnListener(listener));
}
