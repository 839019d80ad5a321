namespace Situk.Broker.Devices;

/// <summary>
/// What a device session that nobody awaits gives back when it ends (the direct path, <see cref="DirectUpgrade"/>):
/// its socket, its slot of the connection gate and the listener's count of running sockets.
/// </summary>
internal interface ISessionOwner
{
    /// <summary>Called once, when the session has ended; <paramref name="failure"/> is what ended it, if nothing expected did.</summary>
    void Ended(Exception? failure);
}
