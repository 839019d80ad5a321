using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// One load agent (<c>Situk.Bench load-agent</c>) as a child process, seen from the parent: a command per
/// line on its stdin, one <c>@kind json</c> answer per command on its stdout, one command at a time.
/// Its other output is echoed. Disposing asks it to quit, then kills it.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(30);

    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
    private readonly SemaphoreSlim _one = new(1);
    private ChildProcess _process = null!;

    public string Name { get; private init; } = "";

    public ChildProcess Process => _process;

    public static AgentProcess Start(string name, int[] ports, int first, int devices, int ramp, int devicesPerAddress)
    {
        var agent = new AgentProcess { Name = name };
        string[] args =
        [
            "load-agent", "--ports", string.Join(',', ports), "--first", Int(first), "--devices", Int(devices),
            "--ramp", Int(ramp), "--devices-per-address", Int(devicesPerAddress),
        ];
        agent._process = ChildProcess.StartProgram(name, "dotnet", [Path.Combine(AppContext.BaseDirectory, "Situk.Bench.dll"), .. args],
            new Dictionary<string, string>(), agent.OnLine, input: true);
        return agent;
    }

    /// <summary>Waits for the agent's <c>@connected</c>: it has opened its devices (or its connect deadline passed).</summary>
    public async Task<AgentConnected> ConnectedAsync(TimeSpan deadline) =>
        await ReadAsync<AgentConnected>("connected", deadline);

    public Task<int> BookAsync(long firstId, int capacity, bool broadcast) =>
        AskAsync<int>(string.Create(CultureInfo.InvariantCulture, $"book {firstId} {capacity} {(broadcast ? 1 : 0)}"), "ok");

    public Task<AgentCount> CountAsync() => AskAsync<AgentCount>("count", "count");

    public Task<AgentReport> ReportAsync() => AskAsync<AgentReport>("report", "report");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.Input.WriteLineAsync("quit");
                await _process.Input.FlushAsync();
            }
        }
        catch (IOException)
        {
            // Already gone.
        }

        await _process.DisposeAsync();
        _one.Dispose();
    }

    private async Task<T> AskAsync<T>(string command, string kind)
    {
        await _one.WaitAsync();
        try
        {
            await _process.Input.WriteLineAsync(command);
            await _process.Input.FlushAsync();
            return await ReadAsync<T>(kind, AnswerDeadline);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<T> ReadAsync<T>(string kind, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var line = await _answers.Reader.ReadAsync(timeout.Token);
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 1 && line.AsSpan(1, space - 1).SequenceEqual(kind))
                {
                    return JsonSerializer.Deserialize<T>(line.AsSpan(space + 1), AgentJson.Options)!;
                }

                Console.WriteLine($"  [{Name}] unexpected answer: {line}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{Name} did not answer '{kind}' within {deadline.TotalSeconds:0} s{(_process.HasExited ? $" (exited with {_process.ExitCode})" : "")}.");
        }
    }

    private void OnLine(string line)
    {
        if (line.StartsWith('@'))
        {
            _answers.Writer.TryWrite(line);
        }
        else
        {
            Console.WriteLine($"  [{Name}] {line}");
        }
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
