namespace Situk.Broker.Sockets;

/// <summary>
/// What a <see cref="FrameWriter"/> reports: one object per session (its <see cref="Sessions.DeliveryTimes"/>)
/// instead of four delegates, since every idle device socket holds one writer (docs/broker.md, memory per device).
/// </summary>
internal interface IWriterEvents
{
    /// <summary>A frame was written to the socket.</summary>
    void Sent();

    /// <summary>A notification's frame was written to the socket.</summary>
    void NotificationWritten(long notificationId);

    /// <summary>A normal-priority notification was shed: refused by a full queue, or its room taken by a high one.</summary>
    void Shed();

    /// <summary>A queued notification that was shed is skipped: it will never be written.</summary>
    void NotificationShed(long notificationId);
}

/// <summary><see cref="IWriterEvents"/> as separate callbacks, any of them absent.</summary>
internal sealed class WriterCallbacks(Action? onSent, Action<long>? onNotificationWritten, Action? onShed, Action<long>? onNotificationShed) : IWriterEvents
{
    public void Sent() => onSent?.Invoke();

    public void NotificationWritten(long notificationId) => onNotificationWritten?.Invoke(notificationId);

    public void Shed() => onShed?.Invoke();

    public void NotificationShed(long notificationId) => onNotificationShed?.Invoke(notificationId);
}
