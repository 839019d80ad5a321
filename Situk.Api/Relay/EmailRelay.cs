using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using Situk.Api.Digests;
using Situk.Api.Notifications;
using Situk.Api.Preferences;
using Situk.Api.Texts;

namespace Situk.Api.Relay;

/// <summary>
/// Carries email_outbox rows to the SMTP server. Woken by <c>LISTEN situk_email_outbox</c>, with a
/// fallback poll. Each row is claimed (FOR UPDATE SKIP LOCKED), sent, and marked in the same
/// transaction, committed right after the server accepted the message: several API instances share
/// the work and each message goes out once, as far as SMTP allows (a crash between the server's
/// 250 and the commit sends that one message again).
/// </summary>
internal sealed partial class EmailRelay(
    NpgsqlDataSource dataSource,
    OutboxListener listener,
    SmtpSender sender,
    PullPolicy pull,
    EmailUnsubscribe unsubscribe,
    NotificationEmail emails,
    DigestEmail digests,
    IOptions<RelayOptions> relayOptions,
    IOptions<SmtpOptions> smtpOptions,
    TimeProvider timeProvider,
    ILogger<EmailRelay> logger) : BackgroundService
{
    public const string Channel = "situk_email_outbox";

    private readonly WakeSignal _signal = new(timeProvider);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = relayOptions.Value.PollInterval;
        var listening = listener.RunAsync(Channel, _signal, poll, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _signal.WaitAsync(poll, stoppingToken);
                await DrainAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await sender.CloseAsync(CancellationToken.None);
            await listening;
        }
    }

    /// <summary>Sends due rows until none is left, a batch is done, or the server looks down.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        var batch = relayOptions.Value.BatchSize;
        var sent = 0;
        try
        {
            for (var i = 0; i < batch; i++)
            {
                var outcome = await SendOneAsync(ct);
                if (outcome is Outcome.None or Outcome.Retry)
                {
                    break;
                }

                sent += outcome == Outcome.Sent ? 1 : 0;
                if (i == batch - 1)
                {
                    _signal.Set();
                }
            }
        }
        catch (Exception ex) when (Transient.IsDatabase(ex))
        {
            LogDatabaseFault(logger, ex.Message);
        }
        finally
        {
            await sender.CloseAsync(ct);
        }

        if (sent > 0)
        {
            LogBatchSent(logger, sent);
        }
    }

    private async Task<Outcome> SendOneAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await OutboxStore.ClaimEmailAsync(tx, ct);
        if (row is null)
        {
            return Outcome.None;
        }

        var outcome = Outcome.Sent;
        try
        {
            await sender.SendAsync(await ComposeAsync(tx, row, ct), ct);
            await OutboxStore.MarkSentAsync(tx, row.Id, ct);
        }
        catch (SmtpTlsUnavailableException ex)
        {
            // Not retried: the server's configuration, or someone stripping STARTTLS, will not change in
            // a back-off period on its own. An operator re-queues the rows once TLS is back (docs/relay.md).
            LogTlsUnavailable(logger, row.Id, ex.Message);
            await OutboxStore.MarkEmailFailedAsync(tx, row.Id, ex.Message, ct);
            outcome = Outcome.Failed;
        }
        catch (Exception ex) when (IsPermanent(ex))
        {
            LogPermanentFailure(logger, row.Id, ex.Message);
            await OutboxStore.MarkEmailFailedAsync(tx, row.Id, ex.Message, ct);
            outcome = Outcome.Failed;
        }
        catch (Exception ex) when (Transient.IsSmtp(ex))
        {
            var options = smtpOptions.Value;
            var delay = Backoff.ForAttempt(row.Attempts + 1, options.RetryBaseDelay, options.RetryMaxDelay);
            LogWillRetry(logger, row.Id, row.Attempts + 1, delay, ex.Message);
            await OutboxStore.MarkEmailRetryAsync(tx, row.Id, ex.Message, delay, ct);
            outcome = Outcome.Retry;
        }

        await tx.CommitAsync(ct);
        return outcome;
    }

    /// <summary>
    /// The email as it goes out. A notification's email is laid out now from the notification's words, in the
    /// language and zone they were written in (stored with them, so a reader who switched language meanwhile
    /// still gets one language), with its link made absolute against <c>Situk:PublicWebUrl</c> (a mail client
    /// has no site to resolve <c>/registrations/5</c> against), the LSP's footer and, for an optional kind, the
    /// unsubscribe line in that footer; a pull kind's says only that something waits, and where to sign in, the
    /// stored words staying in the inbox; a digest's lists the items it carried, each linked to its inbox item.
    /// An email of no notification (sign-up, password reset) goes as stored.
    /// </summary>
    private async Task<EmailRow> ComposeAsync(NpgsqlTransaction tx, EmailRow row, CancellationToken ct)
    {
        if (row.Kind is not { } kind)
        {
            return row;
        }

        var reader = UserLocales.From(row.Language, row.TimeZone);
        var way = await unsubscribe.IssueAsync(tx, row, reader, ct);
        var title = row.NotificationTitle ?? row.Subject;
        var email = kind == Contracts.NotificationKinds.Digest && row.NotificationId is { } digestId
            ? await digests.ComposeAsync(tx, digestId, reader, row.RecipientName, title, way, ct)
            : pull.IsPull(kind)
                ? emails.Neutral(reader, row.RecipientName, kind, row.Link, way)
                : emails.Notification(reader, row.RecipientName, title, row.NotificationBody ?? row.TextBody, row.Link, way);
        return row.As(email, way?.Url);
    }

    /// <summary>A 5xx reply, or an address no server could ever take.</summary>
    private static bool IsPermanent(Exception ex) =>
        ex is SmtpCommandException command && Transient.IsPermanentSmtp(command) || ex is ParseException;

    private enum Outcome
    {
        None,
        Sent,
        Failed,
        Retry,
    }
}
