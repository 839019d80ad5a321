using NATS.Client.Core;
using Situk.Contracts;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// The <c>situk-api</c> queue group during the load phases, where no API instance or database runs (as the
/// single-node run's publish link drains what the broker sends up): answers every receipts request and
/// every "online" announcement at once, and drops reads and written records. Counts the receipt batches.
/// </summary>
internal sealed class ApiStandIn : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loops;
    private long _receiptBatches;
    private long _onlineAnnouncements;

    private ApiStandIn(NatsConnection connection)
    {
        _connection = connection;
        _loops = Task.WhenAll(
            AnswerAsync(ClusterSubjects.Receipts, counts: true),
            AnswerAsync(ClusterSubjects.Presence, counts: false, online: true),
            AnswerAsync(ClusterSubjects.Reads, counts: false),
            AnswerAsync(ClusterSubjects.Written, counts: false));
    }

    public long ReceiptBatches => Interlocked.Read(ref _receiptBatches);

    /// <summary>
    /// Users announced "online", counted from the requests answered. A broker announces a user after it subscribed
    /// to the user's subject, many users to a request (<c>online</c> with <c>userIds</c>) or one (<c>presence</c>):
    /// once there are as many as devices, every broker listens for every user.
    /// </summary>
    public long OnlineAnnouncements => Interlocked.Read(ref _onlineAnnouncements);

    public static async Task<ApiStandIn> StartAsync(string url)
    {
        var connection = new NatsConnection(NatsOpts.Default with { Url = url, Name = "situk-bench-api-stand-in" });
        await connection.ConnectAsync();
        var standIn = new ApiStandIn(connection);
        await connection.PingAsync(); // the subscriptions are on the server before any broker asks
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loops;
        }
        catch (OperationCanceledException)
        {
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task AnswerAsync(string subject, bool counts, bool online = false)
    {
        await foreach (var message in _connection.SubscribeAsync<byte[]>(subject, ClusterSubjects.ApiQueueGroup, cancellationToken: _stop.Token))
        {
            if (counts)
            {
                Interlocked.Increment(ref _receiptBatches);
            }

            if (message.ReplyTo is not null)
            {
                if (online)
                {
                    Interlocked.Add(ref _onlineAnnouncements, UsersAnnounced(message.Data));
                }

                await message.ReplyAsync(Array.Empty<byte>(), cancellationToken: _stop.Token);
            }
        }
    }

    private static long UsersAnnounced(byte[]? data)
    {
        if (data is null)
        {
            return 0;
        }

        return System.Text.Json.JsonSerializer.Deserialize(data, Situk.Contracts.SitukJson.Default.InternalFrame) switch
        {
            Situk.Contracts.OnlineUsersFrame batch => batch.UserIds.Length,
            Situk.Contracts.PresenceFrame { Online: true } => 1,
            _ => 0,
        };
    }
}
