using System.Threading.Channels;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// What the broker pushes to the API, handed from the link's reader loop to the services that act on
/// it, so the reader never waits on PostgreSQL for long. Receipts queue in a bounded channel (a slow
/// database slows the broker's receipts, never loses them); users coming online go into a set, so a
/// burst of presence for one user is one re-send.
/// </summary>
internal sealed class BrokerInbound(TimeProvider timeProvider)
{
    private readonly HashSet<string> _online = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Channel<Receipt[]> Receipts { get; } = Channel.CreateBounded<Receipt[]>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Reads reported by devices; a full queue drops the oldest (the device's own state is already right).</summary>
    public Channel<DeviceReadFrame> Reads { get; } = Channel.CreateBounded<DeviceReadFrame>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>The broker's written records, for the timeline (never waits; drops and counts when full).</summary>
    public WrittenInbox Written { get; } = new();

    /// <summary>Set when <see cref="TakeOnline"/> has something.</summary>
    public WakeSignal OnlineSignal { get; } = new(timeProvider);

    public void AddOnline(IEnumerable<string> userIds)
    {
        lock (_gate)
        {
            foreach (var id in userIds)
            {
                _online.Add(id);
            }
        }

        OnlineSignal.Set();
    }

    /// <summary>Up to <paramref name="max"/> users waiting for a re-send, removed from the set.</summary>
    public string[] TakeOnline(int max)
    {
        lock (_gate)
        {
            var taken = _online.Take(max).ToArray();
            foreach (var id in taken)
            {
                _online.Remove(id);
            }

            if (_online.Count > 0)
            {
                OnlineSignal.Set();
            }

            return taken;
        }
    }
}
