using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Situk.Tests.Support;

/// <summary>
/// A real SMTP server (SmtpServer over TCP) in the test process, on an ephemeral loopback port, that
/// records every message it accepts. It can be stopped and started again on the same port (SMTP down,
/// then up) and told to answer the DATA of every message with a 4xx or 5xx reply.
/// <code>
/// await using var smtp = await SmtpSink.StartAsync();
/// smtp.RejectWith(554, "no");            // permanent; RejectWith(451, ...) is transient; Accept() undoes it
/// var messages = await smtp.WaitForMessagesAsync(3, TimeSpan.FromSeconds(20));
/// </code>
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private CancellationTokenSource? _stop;
    private SmtpServer.SmtpServer? _server;
    private Task? _running;
    private volatile SmtpResponse? _reject;
    private int _rejected;

    private SmtpSink(int port) => Port = port;

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Messages accepted so far, in arrival order.</summary>
    public IReadOnlyList<MimeMessage> Messages => [.. _messages];

    /// <summary>How many messages were answered with the configured rejection.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    public bool IsRunning => _server is not null;

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(PostgresServer.FreeTcpPort());
        await sink.StartAgainAsync();
        return sink;
    }

    /// <summary>Answer every DATA with this reply code (4xx transient, 5xx permanent) until <see cref="Accept"/>.</summary>
    public void RejectWith(int code, string text) => _reject = new SmtpResponse((SmtpReplyCode)code, text);

    public void Accept() => _reject = null;

    /// <summary>Starts listening again on the same port (after <see cref="StopAsync"/>).</summary>
    public async Task StartAgainAsync()
    {
        if (_server is not null)
        {
            return;
        }

        var options = new SmtpServerOptionsBuilder()
            .ServerName("situk-sink")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _stop = new CancellationTokenSource();
        _running = _server.StartAsync(_stop.Token);
        await WaitUntilAcceptingAsync();
    }

    /// <summary>Stops listening; connections are refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _stop!.CancelAsync();
        try
        {
            await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // The server stops by cancellation.
        }

        _stop.Dispose();
        _server = null;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; returns them all.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_messages.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {_messages.Count} of {count} messages arrived within {timeout}.");
            }

            await Task.Delay(50);
        }

        return Messages;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task WaitUntilAcceptingAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"The SMTP sink did not start on port {Port}.");
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (sink._reject is { } reject)
            {
                Interlocked.Increment(ref sink._rejected);
                return reject;
            }

            using var stream = new MemoryStream(buffer.ToArray());
            sink._messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
