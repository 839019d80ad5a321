namespace Situk.Client;

/// <summary>Where a <see cref="SitukDeviceClient"/> is in its life.</summary>
public enum ClientState
{
    Idle,
    Connecting,
    Open,
    Reconnecting,

    /// <summary>Stopped for good: by <see cref="SitukDeviceClient.DisposeAsync"/>, an admin's kick (4003) or an expired token without a provider.</summary>
    Stopped,

    /// <summary>
    /// Stopped for good because the sign-in ended: its refresh was refused (401: signed out elsewhere, expired,
    /// or revoked after a reuse) or the broker closed with 4004. Sign in again with email and password.
    /// </summary>
    SignedOut,
}

/// <summary>A change of state; <see cref="CloseCode"/> is the close code that caused it, when a socket closed.</summary>
public sealed record ClientStateChange(ClientState State, int? CloseCode);
