using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Situk.Api.Relay;

/// <summary>Outgoing mail for the email relay, bound from <c>Situk:Smtp</c>.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Situk:Smtp";

    /// <summary>The SMTP server. Required.</summary>
    [Required]
    public string Host { get; set; } = "";

    /// <summary>Default 25.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>The sender, e.g. <c>SITUK &lt;noreply@lsp.example&gt;</c>. Required.</summary>
    [Required]
    public string From { get; set; } = "";

    /// <summary>
    /// Authenticate when set (with <see cref="Password"/>); anonymous otherwise. Never logged. When set,
    /// TLS is required whatever <see cref="UseTls"/> says: credentials are never sent in clear.
    /// </summary>
    public string? User { get; set; }

    /// <summary>Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// True: STARTTLS is required, and a server that does not offer it (or a man in the middle who strips
    /// it) gets no mail. False (default): plain SMTP, for an anonymous local relay or catcher.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>True: TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS. Default false.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>Whether this configuration sends anything before TLS is up; never with a <see cref="User"/>.</summary>
    internal SecureSocketOptions Security =>
        ImplicitTls ? SecureSocketOptions.SslOnConnect
        : UseTls || !string.IsNullOrEmpty(User) ? SecureSocketOptions.StartTls
        : SecureSocketOptions.None;

    /// <summary>One SMTP operation (connect, a command, the message). Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quick in-process retries of one message on a transient fault, before it is put back with back-off. Default 2.</summary>
    [Range(0, 10)]
    public int QuickRetries { get; set; } = 2;

    /// <summary>Delay before the first quick retry (exponential, jittered). Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan QuickRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Back-off of an email_outbox row after a transient failure: base, doubled per attempt. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cap of that back-off. Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);
}
