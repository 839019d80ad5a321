using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;

namespace Situk.Api.Relay;

/// <summary>
/// When a user comes online (presence, or the broker's list of online users when the link opens),
/// publishes that user's undelivered notifications of the recent window again, oldest first, straight
/// over the link (no new outbox rows). This is what makes "a device that was offline receives
/// everything once it connects" true. Devices drop ids they have already shown.
/// </summary>
internal sealed partial class PresenceResender(
    NpgsqlDataSource dataSource,
    BrokerInbound inbound,
    IBrokerTransport link,
    PullPolicy pull,
    IOptions<RelayOptions> options,
    ILogger<PresenceResender> logger) : BackgroundService
{
    private const int UsersPerRound = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await inbound.OnlineSignal.WaitAsync(options.Value.PollInterval, stoppingToken);
                foreach (var user in inbound.TakeOnline(UsersPerRound))
                {
                    await ResendAsync(user, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task ResendAsync(string user, CancellationToken ct)
    {
        if (!long.TryParse(user, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var userId))
        {
            return;
        }

        var settings = options.Value;
        try
        {
            IReadOnlyList<NotificationRow> rows;
            await using (var connection = await dataSource.OpenConnectionAsync(ct))
            {
                rows = await OutboxStore.UndeliveredAsync(connection, userId, settings.PresenceWindow, settings.PresenceBatchSize, ct);
            }

            if (rows.Count == 0)
            {
                return;
            }

            var audience = Contracts.Audience.Users(user);
            await Task.WhenAll(rows.Select(row => link.PublishAsync(audience, pull.ForPush(row.ToPush(), row.Language), ct)));
            LogResent(logger, rows.Count, user);
        }
        catch (Exception ex) when (ex is BrokerUnavailableException || Transient.IsDatabase(ex))
        {
            // The link's next "online users" frame, or the user's next session, brings them back here.
            LogResendFailed(logger, user, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4500, Level = LogLevel.Debug, Message = "Presence: re-sent {Count} undelivered notification(s) to user {UserId}")]
    private static partial void LogResent(ILogger logger, int count, string userId);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Warning, Message = "Presence: re-send to user {UserId} failed: {Reason}")]
    private static partial void LogResendFailed(ILogger logger, string userId, string reason);
}
