using System.Globalization;

namespace Situk.Bench.Floor;

/// <summary>
/// One "performance at the floor" goal as a run measured it: the figure (<see cref="Value"/>, the median of the
/// runs, and <see cref="Measured"/>, how the table shows it with its range), the target, and met or missed by
/// how much. Reported, never asserted. A goal without a finite <see cref="Limit"/> is a figure reported with no target.
/// </summary>
internal sealed record Goal(string Id, string What, string Measured, double Value, double Limit, string Unit, string Format)
{
    /// <summary>The command of the run behind the figure ("" inside that run's own section).</summary>
    public string Command { get; init; } = "";

    /// <summary>How the target reads when "≤ limit unit" would not say it (a ratio to another server, no loss).</summary>
    public string? TargetText { get; init; }

    public bool HasTarget => double.IsFinite(Limit);

    /// <summary>Met when the median is at or under the limit; null when not measured or without a target.</summary>
    public bool? Met => HasTarget && double.IsFinite(Value) ? Value <= Limit : null;

    public string Target => TargetText ?? (HasTarget ? $"≤ {Number(Limit)}{Unit}" : "reported, no target");

    /// <summary>"**met**: 5.20 KiB, 0.80 KiB under", "**missed**: 7.10 KiB, 1.10 KiB over" ("**missed**: 3 lost" for a zero limit), "reported" or "not measured".</summary>
    public string Verdict => Met switch
    {
        true when Limit == 0 => $"**met**: {Number(Value)}{Unit}",
        false when Limit == 0 => $"**missed**: {Number(Value)}{Unit}",
        true => $"**met**: {Number(Value)}{Unit}, {Number(Limit - Value)}{Unit} under",
        false => $"**missed**: {Number(Value)}{Unit}, {Number(Value - Limit)}{Unit} over",
        null => double.IsFinite(Value) ? "reported" : "not measured",
    };

    private string Number(double value) => value.ToString(Format, CultureInfo.InvariantCulture);
}
