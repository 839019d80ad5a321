using System.Net;
using Situk.Broker.Auth;

namespace Situk.Broker.Devices;

internal sealed partial class DeviceEndpoint
{
    /// <summary>
    /// Admission for an upgrade read by <see cref="DirectUpgrade"/>: the same checks as <see cref="HandleAsync"/>,
    /// but an answer only when every one passes. Null means nothing was counted or written: the request
    /// goes on to the HTTP pipeline, which runs the checks again and answers the refusal (429, 503, 403, 401)
    /// exactly as before. The connection slot is taken before the rate token, so a refused slot spends no
    /// token twice; on success the caller owns one slot of the gate and must <c>Exit</c> it.
    /// </summary>
    internal async Task<DeviceIdentity?> TryAdmitDirectAsync(UpgradeRequest request, IPAddress? remote)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested || !origins.Allows(request.Origin))
        {
            return null;
        }

        var (identity, _) = await tokens.ValidateAsync(BearerKey.FromHeader(request.Authorization) ?? request.AccessToken ?? "");
        if (identity is null || !gate.TryEnter())
        {
            return null;
        }

        if (!gate.TryAcceptRate(remote))
        {
            gate.Exit();
            return null;
        }

        return identity;
    }
}
