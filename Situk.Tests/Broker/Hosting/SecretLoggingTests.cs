using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Hosting;

[Description("Secrets never reach a log line: not the ?access_token= of a browser socket, not the keys.")]
public sealed class SecretLoggingTests
{
    [Test]
    public async Task Query_string_token_is_absent_from_every_log_line()
    {
        using var cts = Timeouts.Generous();
        var captured = new CapturingLoggerProvider();
        await using (var broker = await BrokerFixture.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" },
            b => b.Logging.AddProvider(captured)))
        {
            var token = broker.Tokens.Issue("browser-user");
            using (var socket = new ClientWebSocket())
            {
                await socket.ConnectAsync(new Uri(broker.DeviceUri + "?device=web&access_token=" + token), cts.Token);
                await socket.ReceiveWelcomeAsync(cts.Token);
                await broker.PublishAsync(Audience.Users("browser-user"), "hi", cts.Token);
                await socket.ReceiveNotificationAsync(cts.Token);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }

            // A refused one too: the token of a failed attempt is no less secret.
            await broker.TryConnectDeviceAsync(queryToken: broker.Tokens.Expired("browser-user"), cancellationToken: cts.Token);
            using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
            await broker.StatsAsync(cts.Token);

            var lines = captured.Lines.ToArray();
            var signature = token[(token.LastIndexOf('.') + 1)..];
            Assert.Multiple(() =>
            {
                Assert.That(lines, Has.Some.Contains("opened for user browser-user"), "the capture works");
                Assert.That(lines, Has.None.Contains("access_token"));
                Assert.That(lines, Has.None.Contains(signature));
                Assert.That(lines, Has.None.Contains(broker.AdminKey));
                Assert.That(lines, Has.None.Contains(broker.InternalKey));
            });
        }
    }

    /// <summary>Keeps every formatted message and exception, at every level, from every category.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}");
            }
        }
    }
}
