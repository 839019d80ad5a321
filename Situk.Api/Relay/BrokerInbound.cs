using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// What the broker pushes to the API, handed from the link's reader loop to the services that act on
/// it, so the reader never waits on PostgreSQL. Receipts come against credit (<see cref="ReceiptCredit"/>):
/// the API takes at most <c>ReceiptWindow</c> receipts it has not stored yet, so a slow database holds
/// receipts back in the broker, never loses them and never stalls the reader (whose <c>published</c>
/// answers publishes wait for). Users coming online go into a set, so a burst of presence for one user is
/// one re-send.
/// </summary>
internal sealed class BrokerInbound(IOptions<RelayOptions> options, TimeProvider timeProvider)
{
    private readonly HashSet<string> _online = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Channel<ReceiptBatch>? _receipts;
    private ReceiptCredit? _credit;

    /// <summary>
    /// Receipt frames waiting for the writer. A broker honouring the credit never fills it (each frame
    /// holds at least one receipt); one that does not is waited for.
    /// </summary>
    /// <remarks>Created on first use, not in the constructor: options are validated only once the host starts.</remarks>
    public Channel<ReceiptBatch> Receipts => LazyInitializer.EnsureInitialized(ref _receipts, () => Channel.CreateBounded<ReceiptBatch>(
        new BoundedChannelOptions(options.Value.ReceiptWindow) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true }));

    /// <summary>Receipt credit owed to the broker and how much is held here; see <see cref="Relay.ReceiptCredit"/>.</summary>
    public ReceiptCredit ReceiptCredit => LazyInitializer.EnsureInitialized(ref _credit, () => new ReceiptCredit(options.Value.ReceiptWindow, timeProvider));

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

/// <summary>
/// One batch of receipts from a broker. <see cref="Stored"/> is null for a batch the internal socket brought
/// (it came against receipt credit, given back once stored); NATS brings a batch as a request, answered
/// when <see cref="Stored"/> completes, so the broker keeps it until then.
/// </summary>
internal readonly record struct ReceiptBatch(Receipt[] Items, TaskCompletionSource? Stored = null);
