namespace Situk.Contracts;

/// <summary>
/// What kind of step a <see cref="TimelineStep"/> is, in the order they normally happen. The wire
/// names are the constants; the list is the one in docs/API.md.
/// </summary>
public static class TimelineSteps
{
    /// <summary>The notification row was committed with the change that caused it.</summary>
    public const string Committed = "committed";

    /// <summary>The push relay handed it to the broker (the broker answered the publish).</summary>
    public const string Forwarded = "forwarded";

    /// <summary>The broker wrote the frame to a device session's socket.</summary>
    public const string Written = "written";

    /// <summary>A device session acknowledged it (the delivery receipt).</summary>
    public const string Acked = "acked";

    /// <summary>The SMTP server accepted the email (250).</summary>
    public const string Emailed = "emailed";

    /// <summary>An email attempt met a transient fault and will be tried again.</summary>
    public const string EmailRetry = "email-retry";

    /// <summary>The SMTP server refused the email for good.</summary>
    public const string EmailFailed = "email-failed";

    /// <summary>The person read it, on a device (session) or through the REST inbox.</summary>
    public const string Read = "read";

    /// <summary>
    /// A digest carried it: the item's own push and email were held and the digest (its id and its own
    /// delivery in <see cref="NotificationTimeline.Digest"/>) went instead, listing it. At the digest's commit.
    /// </summary>
    public const string Digested = "digested";
}

/// <summary>
/// One durable step in a notification's delivery. <see cref="DelayMs"/> is milliseconds since the
/// commit. Device steps name the session and device class; email steps the reason
/// (<c>always</c> or <c>escalation</c>) and the attempt number; reads say <see cref="Via"/>
/// <c>device</c> or <c>rest</c>. Fields that do not apply are omitted.
/// </summary>
public sealed record TimelineStep(
    string Kind,
    DateTimeOffset At,
    double DelayMs,
    string? DeviceClass = null,
    string? SessionId = null,
    string? Reason = null,
    int? Attempt = null,
    string? Via = null,
    string? Error = null);

/// <summary>
/// Answer of <c>GET /api/v1/notifications/{id}/timeline</c>: every step, oldest first. For an item a
/// digest carried, <see cref="Digest"/> is that digest's own timeline (its id, when it was written, and
/// each step of its push and email); omitted otherwise.
/// </summary>
public sealed record NotificationTimeline(
    long NotificationId,
    long UserId,
    string Kind,
    DateTimeOffset CreatedAt,
    TimelineStep[] Steps,
    NotificationTimeline? Digest = null);
