using Dapper;
using Npgsql;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// Read state across a user's devices: a <c>read</c> frame from one device is stored (read_at, first
/// read wins; each session's first read also in notification_reads, for the timeline, for at most
/// <see cref="OutboxStore.MaxRecordedSessions"/> sessions per notification) and sent on to
/// the user's other sessions. Reads through REST are sent on by the inbox route itself
/// (<see cref="Announce"/>). Ids that are not the user's are ignored.
/// </summary>
internal sealed partial class ReadSync(NpgsqlDataSource dataSource, BrokerInbound inbound, IBrokerTransport link, ILogger<ReadSync> logger) : BackgroundService
{
    /// <summary>Tells the user's sessions (except <paramref name="exceptSessionId"/>) that these were read.</summary>
    public static void Announce(IBrokerTransport link, long userId, long[] ids, string? exceptSessionId = null)
    {
        if (ids.Length > 0)
        {
            link.TrySendReadSync(new ReadSyncFrame(userId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids, exceptSessionId));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var read in inbound.Reads.Reader.ReadAllAsync(stoppingToken))
            {
                if (!long.TryParse(read.UserId, out var userId) || read.Ids is not { Length: > 0 })
                {
                    continue;
                }

                try
                {
                    await using var c = await dataSource.OpenConnectionAsync(stoppingToken);
                    var newlyRead = (await c.QueryAsync<long>(new CommandDefinition(
                        """
                        WITH audit AS (
                            INSERT INTO notification_reads (notification_id, source, via, read_at)
                            SELECT n.id, @session, 'device', @at FROM notifications n
                            WHERE n.user_id = @userId AND n.id = ANY(@ids)
                              AND (SELECT count(*) FROM notification_reads r WHERE r.notification_id = n.id) < @cap
                            ON CONFLICT DO NOTHING
                        )
                        UPDATE notifications SET read_at = @at WHERE user_id = @userId AND id = ANY(@ids) AND read_at IS NULL RETURNING id
                        """,
                        new { at = read.ReadAt, userId, ids = read.Ids, session = Truncate(read.SessionId), cap = OutboxStore.MaxRecordedSessions }, cancellationToken: stoppingToken))).ToArray();
                    Announce(link, userId, newlyRead, read.SessionId);
                }
                catch (Exception ex) when (Transient.IsDatabase(ex))
                {
                    // PostgreSQL away: the read stays on that device only; the person can mark it read again.
                    LogReadLost(logger, read.Ids.Length, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>The session id as the timeline keeps it (the broker's ids are far shorter than 100).</summary>
    private static string Truncate(string? sessionId) =>
        sessionId is { Length: > 0 } ? sessionId[..Math.Min(sessionId.Length, 100)] : "device";

    [LoggerMessage(EventId = 460, Level = LogLevel.Warning, Message = "A device read of {Count} notification(s) was not stored: {Error}")]
    private static partial void LogReadLost(ILogger logger, int count, string error);
}
