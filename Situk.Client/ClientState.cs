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
}

/// <summary>A change of state; <see cref="CloseCode"/> is the close code that caused it, when a socket closed.</summary>
public sealed record ClientStateChange(ClientState State, int? CloseCode);
