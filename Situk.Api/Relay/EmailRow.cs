namespace Situk.Api.Relay;

/// <summary>One claimed email_outbox row.</summary>
internal sealed class EmailRow
{
    public long Id { get; set; }

    public long? NotificationId { get; set; }

    public string ToAddress { get; set; } = "";

    public string Subject { get; set; } = "";

    public string TextBody { get; set; } = "";

    public string HtmlBody { get; set; } = "";

    public int Attempts { get; set; }

    /// <summary>The notification's kind (null for an email of no notification), for pull after push.</summary>
    public string? Kind { get; set; }

    /// <summary>The notification's link, for the neutral email of a pull kind.</summary>
    public string? Link { get; set; }
}
