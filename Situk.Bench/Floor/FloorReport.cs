using System.Globalization;
using System.Text;

namespace Situk.Bench.Floor;

/// <summary>The <c>floor:goals</c> section: one row per goal (G1–G7) with its figure, target, verdict and command.</summary>
internal static class FloorReport
{
    public static string Section(FloorOptions options, IReadOnlyList<FloorPart> parts, IReadOnlyList<double> load, TimeSpan took, string machine)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"#### Floor goals — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(c, $"`{options.CommandLine}`  ");
        s.AppendLine(c, $"Machine: {machine}. {(options.Quick ? "**Quick run: 1 run of each command at smaller sizes: not the reportable figures** (`floor` without `--quick` gives them). " : "")}" +
            $"{options.Runs} run{(options.Runs == 1 ? "" : "s")} of each command, each command in a bench process of its own and each run with fresh servers; broker: " +
            $"{(options.BrokerDll is { } dll ? $"`{Path.GetRelativePath(Environment.CurrentDirectory, dll)}`" : $"the bench's JIT-only copy (no `{FloorOptions.DefaultBrokerDll}`: `./build.sh --target=PublishBroker`)")}. " +
            $"Load average (1 min) before each command and at the end: {string.Join(", ", load.Select(l => l.ToString("0.0", c)))}. " +
            $"Took {took.TotalMinutes:0} min. Each command's own section (`floor-*`) has every figure behind its rows.");
        s.AppendLine();

        List<Goal> goals = [];
        foreach (var part in parts)
        {
            goals.AddRange(part.Error is null
                ? part.Goals
                : [new Goal(part.GoalIds, $"({part.Name}: the command could not run: {part.Error.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal)})", "—", double.NaN, double.NaN, "", "0") { Command = part.Command }]);
        }

        goals.Add(FloorGoals.Loss([.. parts.Where(p => p.Error is null).Select(p => (p.Name, p.Lost))]));
        // In goal order whatever order the parts ran in (stable: a goal's rows keep theirs).
        GoalTable.Append(s, [.. goals.OrderBy(g => g.Id, StringComparer.Ordinal)], withCommand: true);
        return s.ToString();
    }
}
