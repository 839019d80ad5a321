using Microsoft.Extensions.Logging;

namespace Situk.Tests.Support;

/// <summary>Sends the app's warnings and errors to NUnit's progress output, so a 500 in a test shows its cause.
/// </summary>
/// <remarks>Set SITUK_TEST_LOG to a file path to collect them there as well.</remarks>
public sealed class TestProgressLoggerProvider : ILoggerProvider
{
    private static readonly Lock FileGate = new();

    public ILogger CreateLogger(string categoryName) => new ProgressLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class ProgressLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var line = $"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}";
                TestContext.Progress.WriteLine(line);
                if (Environment.GetEnvironmentVariable("SITUK_TEST_LOG") is { Length: > 0 } file)
                {
                    lock (FileGate)
                    {
                        File.AppendAllText(file, line + Environment.NewLine);
                    }
                }
            }
        }
    }
}
