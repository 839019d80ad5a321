using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace Situk.Api.Relay;

/// <summary>
/// Sends one outbox row by SMTP with MailKit, keeping one connection open across a drain. A transient
/// fault is retried a few times in place (Polly, built once); what still fails goes back to the outbox.
/// </summary>
internal sealed partial class SmtpSender : IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpSender> _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly MailboxAddress _from;
    private SmtpClient? _client;

    public SmtpSender(IOptions<SmtpOptions> options, TimeProvider timeProvider, ILogger<SmtpSender> logger)
    {
        _options = options.Value;
        _logger = logger;
        _from = MailboxAddress.Parse(_options.From);
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (_options.QuickRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.IsSmtp),
                MaxRetryAttempts = _options.QuickRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.QuickRetryDelay,
                OnRetry = args =>
                {
                    LogSmtpRetry(_logger, args.AttemptNumber + 1, args.Outcome.Exception?.Message);
                    return default;
                },
            });
        }

        _pipeline = builder.AddTimeout(_options.Timeout * 2).Build();
    }

    /// <summary>Sends the row; throws what the last attempt threw.</summary>
    public async Task SendAsync(EmailRow row, CancellationToken ct)
    {
        var message = Compose(row);
        await _pipeline.ExecuteAsync(
            async token =>
            {
                try
                {
                    var client = await ConnectedClientAsync(token);
                    await client.SendAsync(message, token);
                }
                catch (Exception ex) when (ex is not SmtpCommandException)
                {
                    // The session may be half-dead: start the next attempt on a fresh connection.
                    await ResetAsync();
                    throw;
                }
            },
            ct);
    }

    /// <summary>multipart/alternative (plain text, then HTML), with the outbox id in a header and the Message-Id.</summary>
    internal MimeMessage Compose(EmailRow row)
    {
        var message = new MimeMessage();
        message.From.Add(_from);
        message.To.Add(MailboxAddress.Parse(row.ToAddress));
        message.Subject = row.Subject;
        var domain = _from.Domain is { Length: > 0 } d ? d : "situk.local";
        message.MessageId = $"situk-email-{row.Id}@{domain}";
        message.Headers.Add(OutboxIdHeader, row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (row.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, no sign-in.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        message.Body = new BodyBuilder { TextBody = row.TextBody, HtmlBody = row.HtmlBody }.ToMessageBody();
        return message;
    }

    /// <summary>The header that names the email_outbox row a message came from.</summary>
    public const string OutboxIdHeader = "X-Situk-Outbox-Id";

    /// <summary>Says goodbye to the server (QUIT) and drops the connection; the next send reconnects.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (_client is { IsConnected: true } client)
        {
            try
            {
                await client.DisconnectAsync(quit: true, ct);
            }
            catch (Exception ex) when (Transient.IsSmtp(ex) || ex is OperationCanceledException)
            {
                // Closing is best effort.
            }
        }

        await ResetAsync();
    }

    public async ValueTask DisposeAsync() => await ResetAsync();

    private async Task<SmtpClient> ConnectedClientAsync(CancellationToken ct)
    {
        if (_client is { IsConnected: true } connected)
        {
            return connected;
        }

        await ResetAsync();
        var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        _client = client;
        var security = _options.Security;
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, security, ct);
        }
        catch (NotSupportedException ex) when (security == SecureSocketOptions.StartTls)
        {
            // MailKit refuses StartTls against a server whose EHLO lists no STARTTLS, before any AUTH or MAIL.
            throw new SmtpTlsUnavailableException(TlsMissing, ex);
        }

        if (!string.IsNullOrEmpty(_options.User))
        {
            if (!client.IsSecure)
            {
                throw new SmtpTlsUnavailableException(TlsMissing);
            }

            await client.AuthenticateAsync(_options.User, _options.Password ?? "", ct);
        }

        return client;
    }

    private string TlsMissing =>
        $"SMTP TLS required: {_options.Host}:{_options.Port} did not offer STARTTLS, so neither credentials nor the message were sent in clear";

    private Task ResetAsync()
    {
        _client?.Dispose();
        _client = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "SMTP send retry {Attempt}: {Reason}")]
    private static partial void LogSmtpRetry(ILogger logger, int attempt, string? reason);
}
