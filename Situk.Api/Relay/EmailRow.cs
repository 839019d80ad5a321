namespace Situk.Api.Relay;

/// <summary>One claimed email_outbox row.</summary>
internal sealed class EmailRow
{
    public long Id { get; set; }

    public long? NotificationId { get; set; }

    /// <summary>Whose email it is: the recipient's language and their unsubscribe link.</summary>
    public long UserId { get; set; }

    public string ToAddress { get; set; } = "";

    public string Subject { get; set; } = "";

    public string TextBody { get; set; } = "";

    public string HtmlBody { get; set; } = "";

    public int Attempts { get; set; }

    /// <summary>The notification's kind (null for an email of no notification), for pull after push.</summary>
    public string? Kind { get; set; }

    /// <summary>The notification's link as stored (site-relative or absolute); made absolute when the email is composed.</summary>
    public string? Link { get; set; }

    /// <summary>The notification's title and words, from which its email is composed at send time (null for an email of no notification).</summary>
    public string? NotificationTitle { get; set; }

    /// <inheritdoc cref="NotificationTitle"/>
    public string? NotificationBody { get; set; }

    /// <summary>The one-click unsubscribe URL (RFC 8058) for the List-Unsubscribe headers; null for an email that has none.</summary>
    public string? UnsubscribeUrl { get; set; }

    /// <summary>A copy that goes out as <paramref name="email"/>, with its unsubscribe URL (null: none).</summary>
    public EmailRow As(Notifications.ComposedEmail email, string? unsubscribeUrl)
    {
        var copy = (EmailRow)MemberwiseClone();
        copy.Subject = email.Subject;
        copy.TextBody = email.Text;
        copy.HtmlBody = email.Html;
        copy.UnsubscribeUrl = unsubscribeUrl;
        return copy;
    }

    /// <summary>
    /// The recipient as the email greets them, and the language and zone a notification's email is laid out in:
    /// those its words were written in (stored on the notification), whatever the recipient chose since.
    /// </summary>
    public string RecipientName { get; set; } = "";

    /// <inheritdoc cref="RecipientName"/>
    public string Language { get; set; } = "id";

    /// <inheritdoc cref="RecipientName"/>
    public string TimeZone { get; set; } = Texts.Locale.DefaultZoneId;
}
