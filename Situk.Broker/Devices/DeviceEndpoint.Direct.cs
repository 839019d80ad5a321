using System.Net;
using Situk.Broker.Auth;

namespace Situk.Broker.Devices;

internal sealed partial class DeviceEndpoint
{
    /// <summary>
    /// Admission for an upgrade read by <see cref="DirectUpgrade"/>: the same checks as <see cref="HandleAsync"/>,
    /// but an answer only when every one passes. Null means nothing was counted or written: the request
    /// goes on to the HTTP pipeline, which runs the checks again and answers the refusal (429, 503, 403, 401)
    /// exactly as before, spending the refusal budget there, once. The client is the socket's peer, or the
    /// address a trusted proxy names (<see cref="Limits.ClientAddresses"/>). The connection slot is taken
    /// before the rate token, so a refused slot spends no token twice; on success the caller owns one slot
    /// of the gate and must <c>Exit</c> it.
    /// </summary>
    internal async Task<DirectAdmission?> TryAdmitDirectAsync(UpgradeRequest request, IPAddress? peer)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested || !origins.Allows(request.Origin, request.Host))
        {
            return null;
        }

        var (identity, _) = await tokens.ValidateAsync(BearerKey.FromHeader(request.Authorization) ?? request.AccessToken ?? "");
        if (identity is null || !gate.TryEnter())
        {
            return null;
        }

        var client = addresses.Resolve(peer, request.ForwardedFor);
        if (!gate.TryAcceptRate(client))
        {
            gate.Exit();
            return null;
        }

        return new DirectAdmission(identity, client);
    }
}

/// <summary>A device admitted on the direct path, and the client address its session is known by.</summary>
internal sealed record DirectAdmission(DeviceIdentity Identity, IPAddress? Client);
