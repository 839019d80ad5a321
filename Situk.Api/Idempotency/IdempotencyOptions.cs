using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Idempotency;

/// <summary><c>Situk:Idempotency</c>: how long stored keys are kept, and how often the sweeper deletes the old ones.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Situk:Idempotency";

    /// <summary>
    /// A key older than this is deleted by the sweeper, whoever it belongs to. Default 24 h, and never
    /// less: a key replays its first answer for <see cref="IdempotencyKeys.Lifetime"/> (24 h).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = IdempotencyKeys.Lifetime;

    /// <summary>How often the sweeper runs (also once at start). Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(15);
}
