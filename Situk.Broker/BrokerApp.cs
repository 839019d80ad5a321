using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;
using Situk.Broker.Cluster;
using Situk.Broker.Admin;
using Situk.Broker.Devices;
using Situk.Broker.Hosting;
using Situk.Broker.Internal;
using Situk.Broker.Page;

namespace Situk.Broker;

/// <summary>
/// Builds the broker: used by <c>Program.cs</c>, by the tests (on <c>http://127.0.0.1:0</c>) and by the
/// benchmarks. After <c>StartAsync</c>, <see cref="BrokerListeners"/> in <c>app.Services</c> says which
/// ports were bound.
/// </summary>
public static class BrokerApp
{
    private static readonly Dictionary<string, string?> LogDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Situk:Broker:AdminKey=…</c>).</param>
    /// <param name="configure">Adds configuration sources after the defaults (appsettings, environment, args).</param>
    /// <param name="customize">Last say over the builder: extra logging providers, a fake <see cref="TimeProvider"/>.</param>
    public static WebApplication Build(
        string[] args,
        Action<IConfigurationBuilder>? configure = null,
        Action<WebApplicationBuilder>? customize = null)
    {
        // Content root beside the assembly, so an appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // Quiet framework logs by default, as the lowest-priority source: any appsettings, environment
        // variable or argument still overrides them.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = LogDefaults });
        configure?.Invoke(builder.Configuration);

        // Hosting logs every request line at Information, query string included, and a browser's
        // ?access_token= is a secret: that category is off whatever the configuration says. It writes nothing above
        // Information, and while it is on at any level ASP.NET Core starts an Activity and a log scope for every
        // request, publishes included (docs/benchmarks.md, "Per-request Activity and log scope").
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddBrokerOptions().AddBroker();
        // What carries messages up to the API: the internal sockets, unless Situk:Nats:Url names a NATS server.
        builder.Services.AddApiUplink(builder.Configuration);
        customize?.Invoke(builder);

        var app = builder.Build();

        // Behind a trusted proxy, the client's address from X-Forwarded-For (Limits/ClientAddresses.cs). A singleton,
        // taken from the root provider: a request scope is created only for a request whose handler needs one.
        app.Use((context, next) =>
        {
            app.Services.GetRequiredService<Limits.ClientAddresses>().Apply(context);
            return next(context);
        });

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseListenerGuard();
        app.UseWebSockets();

        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", (HttpContext context) => Hosting.Readiness.Answer(context.RequestServices));
        app.Map("/ws", context => context.RequestServices.GetRequiredService<DeviceEndpoint>().HandleAsync(context)).On(Listener.Device);
        app.Map("/internal", context => context.RequestServices.GetRequiredService<InternalEndpoint>().HandleAsync(context)).On(Listener.Internal);
        app.MapAdmin();
        app.MapDevicePage();
        return app;
    }
}
