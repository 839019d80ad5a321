using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Situk.Tests.Support;

/// <summary>
/// A small real SMTP server over TCP on a loopback port that offers <c>AUTH PLAIN</c> but no STARTTLS —
/// what a client sees when a man in the middle strips STARTTLS — and records every byte the client sends.
/// It accepts whatever it is given (AUTH, MAIL, RCPT, DATA), so a client that would authenticate or send
/// in clear is caught doing it.
/// <code>
/// await using var smtp = ClearTextSmtpServer.Start();
/// ... send ...
/// Assert.That(smtp.Commands, Has.None.StartsWith("AUTH"));
/// </code>
/// </summary>
public sealed class ClearTextSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _accepting;
    private int _connections;

    private ClearTextSmtpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every line a client sent, in order (message lines included), as received in clear.</summary>
    public IReadOnlyList<string> Commands => [.. _lines];

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static ClearTextSmtpServer Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                sessions.Add(ServeAsync(client, _stop.Token));
            }
        }
        finally
        {
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 cleartext.test ESMTP");
            var inData = false;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                _lines.Enqueue(line);
                if (inData)
                {
                    if (line == ".")
                    {
                        inData = false;
                        await writer.WriteLineAsync("250 2.0.0 Accepted");
                    }

                    continue;
                }

                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                var reply = verb switch
                {
                    "EHLO" => "250-cleartext.test\r\n250-AUTH PLAIN\r\n250 8BITMIME",
                    "AUTH" => "235 2.7.0 Authentication successful",
                    "DATA" => "354 End data with <CR><LF>.<CR><LF>",
                    "QUIT" => "221 2.0.0 Bye",
                    "HELO" or "MAIL" or "RCPT" or "RSET" or "NOOP" => "250 2.0.0 OK",
                    _ => "502 5.5.2 Command not recognized",
                };
                inData = verb == "DATA";
                await writer.WriteLineAsync(reply);
                if (verb == "QUIT")
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server stops.
        }
    }
}
