namespace Situk.Bench.Load.Report;

/// <summary>
/// Labelled sections of a Markdown report file, between <c>&lt;!-- KIND:LABEL:begin --&gt;</c> and
/// <c>…:end --&gt;</c> markers: writing one replaces that section (or appends it), so several runs live
/// in one docs/benchmarks.md and a rerun rewrites only its own.
/// </summary>
internal static class ReportFile
{
    /// <summary>The <c>benchmarks</c> folder beside the report file, created if missing: where a section's charts go.</summary>
    public static string ChartFolderBeside(string path)
    {
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "benchmarks");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void WriteSection(string path, string kind, string label, string section)
    {
        var full = Path.GetFullPath(path);
        var begin = $"<!-- {kind}:{label}:begin -->";
        var end = $"<!-- {kind}:{label}:end -->";
        var text = File.Exists(full) ? File.ReadAllText(full) : "# Situk benchmarks\n";
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        var block = begin + "\n" + section + end;
        text = from >= 0 && to > from
            ? string.Concat(text.AsSpan(0, from), block, text.AsSpan(to + end.Length))
            : text.TrimEnd('\n') + "\n\n" + block + "\n";
        File.WriteAllText(full, text);
    }
}
