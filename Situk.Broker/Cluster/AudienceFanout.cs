using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

/// <summary>
/// Delivers what arrives on the role and broadcast subjects to this broker's sessions away from the NATS connection's
/// reader, one message after another in the order they came. A broadcast to 18,000 sessions is hundreds of milliseconds of
/// CPU, seconds on a loaded machine. Done in the reader, it held up every user's notification that arrived behind it and
/// the server's answers to the client's pings. The client then counted its pings unanswered and dropped a healthy
/// connection (seen with 54,000 devices on three brokers on two cores). User subjects stay in the reader: a user has at
/// most <c>MaxSessionsPerUser</c> sessions. At most <see cref="Capacity"/> messages wait here; past that the reader
/// waits for room, as it always did.
/// </summary>
internal sealed class AudienceFanout(Publisher publisher, ILogger logger)
{
    public const int Capacity = 16;

    private readonly Channel<Message> _queue = Channel.CreateBounded<Message>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a message for <paramref name="sessions"/> (resolved when it is delivered); nothing once the broker stops.</summary>
    public async ValueTask EnqueueAsync(Func<IEnumerable<Session>> sessions, byte[] payload, long notificationId, Priority priority)
    {
        try
        {
            await _queue.Writer.WriteAsync(new Message(sessions, payload, notificationId, priority));
        }
        catch (ChannelClosedException)
        {
            // Stopping: the devices are being closed, and the API re-sends what they did not ack.
        }
    }

    /// <summary>Delivers queued messages until <paramref name="ct"/> ends.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(ct))
            {
                try
                {
                    publisher.Deliver(message.Sessions(), message.Payload, message.NotificationId, message.Priority);
                }
                catch (Exception e)
                {
                    // Delivery never throws by design; if it did, one loop ending would silently stop every broadcast after it.
                    NatsUplinkLog.FanoutFailed(logger, message.NotificationId, e);
                }
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    private sealed record Message(Func<IEnumerable<Session>> Sessions, byte[] Payload, long NotificationId, Priority Priority);
}
