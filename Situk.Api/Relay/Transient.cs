using System.Net.Sockets;
using System.Net.WebSockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Situk.Api.Relay;

/// <summary>Which faults are worth retrying. Everything else is a bug or a permanent refusal.</summary>
internal static class Transient
{
    /// <summary>PostgreSQL unreachable, restarting, or the connection was killed: retry later.</summary>
    public static bool IsDatabase(Exception ex) =>
        ex is NpgsqlException or SocketException or IOException or TimeoutException or TimeoutRejectedException;

    /// <summary>The broker link failed to open or broke.</summary>
    public static bool IsLink(Exception ex) =>
        ex is WebSocketException or HttpRequestException or SocketException or IOException
            or TimeoutRejectedException or BrokenCircuitException or TimeoutException;

    /// <summary>An SMTP fault that may pass: no connection, a timeout, a broken session, or a 4xx reply.</summary>
    public static bool IsSmtp(Exception ex) => ex switch
    {
        SmtpCommandException command => !IsPermanentSmtp(command),
        SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException => true,
        AuthenticationException or SslHandshakeException => true,
        SocketException or IOException or TimeoutException or TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>A 5xx reply: the server will never take this message as it is.</summary>
    public static bool IsPermanentSmtp(SmtpCommandException ex) => (int)ex.StatusCode is >= 500 and < 600;
}
