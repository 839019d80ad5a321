using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Contracts;

namespace Situk.Api.Escalation;

/// <summary>
/// Emails a notification that no device acked within its kind's deadline, exactly once: the
/// <c>email_outbox</c> row (reason <c>escalation</c>) is unique per notification, and a notification
/// acked first (delivered_at set) or read in the inbox first (read_at set: the person has seen it) is
/// never escalated. The row keeps the notification's words (written in its reader's language when it was
/// stored); the email relay lays them out and sends it like any other.
/// Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class EmailEscalation(
    NpgsqlDataSource dataSource, IOptions<EscalationOptions> options, TimeProvider time, ILogger<EmailEscalation> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>One scan: escalates what is due now; returns how many emails were queued.</summary>
    public async Task<int> EscalateDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var queued = 0;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        foreach (var (kind, deadline) in options.Value.Deadlines)
        {
            if (NotificationKinds.Table.TryGetValue(kind, out var info) && info.Email)
            {
                continue; // emailed always, at once
            }

            var due = (await c.QueryAsync<Due>(new CommandDefinition(
                """
                SELECT n.id, n.user_id AS userId, u.email, n.title, n.body
                FROM notifications n JOIN users u ON u.id = n.user_id
                WHERE n.kind = @kind AND n.delivered_at IS NULL AND n.read_at IS NULL AND n.created_at <= @cutoff
                  AND NOT EXISTS (SELECT 1 FROM email_outbox e WHERE e.notification_id = n.id)
                  AND NOT EXISTS (SELECT 1 FROM notification_preferences np
                                  WHERE np.user_id = n.user_id AND np.kind_group = @optionalGroup AND NOT np.email)
                  AND NOT EXISTS (SELECT 1 FROM digest_items d WHERE d.notification_id = n.id) -- its digest is emailed instead
                ORDER BY n.id
                LIMIT @limit
                """,
                new { kind, cutoff = now - deadline, limit = BatchSize, optionalGroup = OptionalGroup(kind) }, cancellationToken: ct))).ToList();
            foreach (var n in due)
            {
                // Re-checked in the insert itself, so an ack or a read that lands meanwhile still wins.
                queued += await c.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO email_outbox (notification_id, user_id, to_address, subject, text_body, html_body, reason)
                    SELECT @Id, @UserId, @Email, @Title, @Body, '', 'escalation'
                    WHERE EXISTS (SELECT 1 FROM notifications WHERE id = @Id AND delivered_at IS NULL AND read_at IS NULL)
                    ON CONFLICT (notification_id) WHERE reason = 'escalation' DO NOTHING
                    """,
                    new { n.Id, n.UserId, n.Email, n.Title, n.Body },
                    cancellationToken: ct));
            }
        }

        if (queued > 0)
        {
            LogEscalated(logger, queued);
        }

        return queued;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ScanInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await EscalateDueAsync(stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    LogScanFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// The preference group whose email switch governs the kind's escalation email (the person switched
    /// that group's email off: none is sent); null for a kind whose email is mandatory, which no switch stops.
    /// </summary>
    private static string? OptionalGroup(string kind) =>
        NotificationKinds.IsKnown(kind) && !NotificationGroups.MandatoryEmail.Contains(kind) ? NotificationGroups.Of(kind) : null;

    private sealed record Due(long Id, long UserId, string Email, string Title, string Body);

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Escalated {Count} unacknowledged notification(s) to email")]
    private static partial void LogEscalated(ILogger logger, int count);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Escalation scan failed, will retry: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string error);
}
