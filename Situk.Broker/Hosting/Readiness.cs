using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Situk.Broker.Cluster;

namespace Situk.Broker.Hosting;

/// <summary>
/// <c>GET /readyz</c>: whether this broker should be given devices now. Not ready while it stops (it answers new
/// upgrades with 503 then) or, in a cluster, while its NATS connection is not open: its devices would then get
/// nothing in real time until it is back (the re-send on "online" makes up for it afterwards), or while the server
/// refuses its subscriptions or publishes (<see cref="Situk.Nats.NatsRefusals"/>). <c>/healthz</c> stays
/// "the process serves"; a load balancer or an operator rolling restarts checks this one.
/// </summary>
internal static class Readiness
{
    public static IResult Answer(IServiceProvider services)
    {
        if (services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
        {
            return NotReady("stopping");
        }

        if (services.GetService<NatsUplink>() is { } uplink)
        {
            if (!uplink.IsConnected)
            {
                return NotReady("not connected to NATS: " + (uplink.LastError ?? "connecting"));
            }

            if (uplink.Refusals.Last is { } refused)
            {
                return NotReady("NATS refuses this broker's traffic (its user lacks the broker's permissions): " + refused);
            }
        }

        return TypedResults.Json(new ReadinessAnswer("ready", null), ReadinessJson.Default.ReadinessAnswer);
    }

    private static IResult NotReady(string reason) =>
        TypedResults.Json(new ReadinessAnswer("not ready", reason), ReadinessJson.Default.ReadinessAnswer, statusCode: StatusCodes.Status503ServiceUnavailable);
}

internal sealed record ReadinessAnswer(string Status, string? Reason);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadinessAnswer))]
internal sealed partial class ReadinessJson : System.Text.Json.Serialization.JsonSerializerContext;
