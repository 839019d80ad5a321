namespace Situk.Api.Escalation;

/// <summary>
/// <c>Situk:Escalation</c>: per notification kind, how long a device has to ack before the person is
/// emailed instead. Kinds that always email (registration received, verdicts) are not escalated.
/// </summary>
public sealed class EscalationOptions
{
    public const string Section = "Situk:Escalation";

    /// <summary>Off switch for the whole feature. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often to look for notifications past their deadline. Default 30 s.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Kind → deadline. Configuration adds kinds or overrides these defaults
    /// (<c>Situk__Escalation__Deadlines__assessment.assigned=00:05:00</c>).
    /// </summary>
    public Dictionary<string, TimeSpan> Deadlines { get; set; } = new(StringComparer.Ordinal)
    {
        ["assessment.assigned"] = TimeSpan.FromMinutes(10),
        ["assessment.scheduled"] = TimeSpan.FromMinutes(10),
        ["assessment.eligible"] = TimeSpan.FromMinutes(30),
        ["registration.verified"] = TimeSpan.FromMinutes(30),
        ["registration.rejected"] = TimeSpan.FromMinutes(30),
        ["apl02.submitted"] = TimeSpan.FromMinutes(30),
    };
}
