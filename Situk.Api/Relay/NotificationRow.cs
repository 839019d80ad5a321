using System.Text.Json;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>A notification as the relays read it (with its push_outbox id when claimed from there).</summary>
internal sealed class NotificationRow
{
    public long OutboxId { get; set; }

    public long Id { get; set; }

    public long UserId { get; set; }

    /// <summary>Attempts already made on the outbox row (zero outside a claim).</summary>
    public int Attempts { get; set; }

    /// <summary>The user id as the broker knows it (the token's <c>sub</c>).</summary>
    public string UserIdText => UserId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Kind { get; set; } = "";

    public short Priority { get; set; }

    public string Title { get; set; } = "";

    public string Body { get; set; } = "";

    public string? Link { get; set; }

    public string? Data { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The recipient's language: a pull kind's neutral notice is titled in it.</summary>
    public string Language { get; set; } = "id";

    /// <summary>When the push relay claimed the row (database clock), just before publishing it.</summary>
    public DateTime ClaimedAt { get; set; }

    public PushNotification ToPush() => new(
        Id,
        Kind,
        Title,
        Body,
        Link,
        Data is null ? null : ParseData(Data),
        new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
        Priority == 1 ? Contracts.Priority.High : Contracts.Priority.Normal);

    private static JsonElement ParseData(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
