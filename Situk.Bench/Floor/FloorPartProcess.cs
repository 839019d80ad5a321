using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Situk.Bench.Floor;

/// <summary>
/// Each part of <c>floor</c> in a bench process of its own: <c>Situk.Bench floor-part INDEX RESULT-FILE FLOOR-ARGS…</c>
/// runs part INDEX of <see cref="FloorPart.Plan"/> as <c>floor</c> would have in-process, and writes its goals, what it
/// lost and why it could not run to RESULT-FILE. A part's devices, REST calls and probes are timed on the clock of the
/// process that runs them; run one after another in one process, a part carried the heap, threads and sockets of the
/// ones before it (the REST part's p99 at 100/s was 28–30 ms after the 19,600- and 10,000-device parts, 9–13 ms alone;
/// docs/benchmarks.md, *Floor goals*).
/// </summary>
internal static class FloorPartProcess
{
    /// <summary>A part's own phases have deadlines; this is the guard should a process hang past all of them.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(60);

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The child's side: run the part and write its result; 0 when the result was written.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || !int.TryParse(args[0], out var index))
        {
            await Console.Error.WriteLineAsync("usage: Situk.Bench floor-part INDEX RESULT-FILE [floor options]");
            return 2;
        }

        var part = FloorPart.Plan(FloorOptions.Parse([.. args.Skip(2)])).ElementAt(index);
        await part.RunAsync();
        await File.WriteAllTextAsync(args[1], JsonSerializer.Serialize(new Result(part.Goals, part.Lost, part.Error), Json));
        return 0;
    }

    /// <summary>The parent's side: runs part <paramref name="index"/> in a fresh process (its output goes to this console) and takes its result.</summary>
    public static async Task<FloorPart> RunAsync(FloorPart part, int index, IReadOnlyList<string> floorArgs)
    {
        var resultFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Environment.CurrentDirectory };
            foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Situk.Bench.dll"), "floor-part", index.ToString(System.Globalization.CultureInfo.InvariantCulture), resultFile, .. floorArgs])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a bench process.");
            using var deadline = new CancellationTokenSource(Deadline);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                return part.Failed($"did not finish within {Deadline.TotalMinutes:0} min");
            }

            var text = await File.ReadAllTextAsync(resultFile);
            if (text.Length == 0)
            {
                return part.Failed($"its process exited with {process.ExitCode} before writing a result");
            }

            var result = JsonSerializer.Deserialize<Result>(text, Json) ?? throw new InvalidOperationException("Empty floor-part result.");
            return part.Adopt(result.Goals, result.Lost, result.Error);
        }
        finally
        {
            File.Delete(resultFile);
        }
    }

    private sealed record Result(IReadOnlyList<Goal> Goals, long Lost, string? Error);
}
