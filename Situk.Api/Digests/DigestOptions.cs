namespace Situk.Api.Digests;

/// <summary>
/// <c>Situk:Digests</c>: which notices are carried by a digest instead of going out one by one, and
/// when a digest goes. A person's waiting items go as one push and one email when the oldest has
/// waited <see cref="Window"/> or <see cref="MaxItems"/> are waiting, whichever comes first.
/// </summary>
public sealed class DigestOptions
{
    public const string Section = "Situk:Digests";

    /// <summary>Longest an item waits for its digest. Default 15 minutes; from 1 second to 1 day.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A digest goes as soon as this many items wait, and carries at most this many. Default 20; from 2 to 100.</summary>
    public int MaxItems { get; set; } = 20;

    /// <summary>
    /// Kind → the roles whose copies are digested, comma-separated; empty switches a kind off. Default: the
    /// admins' copies of <c>registration.submitted</c> (the asesi's own copy still goes at once) and the
    /// asesors' copies of <c>apl02.submitted</c>. Configuration adds kinds or overrides these
    /// (<c>Situk__Digests__Kinds__registration.submitted=</c> sends every admin copy at once again).
    /// </summary>
    public Dictionary<string, string> Kinds { get; set; } = new(StringComparer.Ordinal)
    {
        ["registration.submitted"] = "admin",
        ["apl02.submitted"] = "asesor",
    };

    /// <summary>How often the sweeper looks for a window that has run out: a fifteenth of the window, from 100 ms to 30 s.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromTicks(Math.Clamp(Window.Ticks / 15, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));

    /// <summary>Every (kind, role) pair that is digested.</summary>
    public IEnumerable<(string Kind, string Role)> Pairs() =>
        Kinds.SelectMany(k => Roles(k.Value).Select(role => (k.Key, role)));

    internal static IEnumerable<string> Roles(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal);
}
