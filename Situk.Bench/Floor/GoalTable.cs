using System.Text;

namespace Situk.Bench.Floor;

/// <summary>Goals as a Markdown table: one row each, the figure with its spread, the target, met or missed by how much and, when given, the command behind it.</summary>
internal static class GoalTable
{
    public static void Append(StringBuilder s, IReadOnlyList<Goal> goals, bool withCommand)
    {
        s.AppendLine(withCommand ? "| goal | measured: median [range] of the runs | target | verdict (on the median) | command |" : "| goal | measured: median [range] of the runs | target | verdict (on the median) |");
        s.AppendLine(withCommand ? "|---|---|---|---|---|" : "|---|---|---|---|");
        foreach (var g in goals)
        {
            s.Append($"| {g.Id} {g.What} | {g.Measured} | {g.Target} | {g.Verdict} |");
            s.AppendLine(withCommand ? (g.Command.Length > 0 ? $" `{g.Command}` |" : " |") : "");
        }

        s.AppendLine();
    }
}
