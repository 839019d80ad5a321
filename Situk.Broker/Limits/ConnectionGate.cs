using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Limits;

/// <summary>
/// Admission for device sockets, checked before the upgrade: a token bucket per client address
/// (<c>ConnectRatePerSecond</c>, <c>ConnectBurst</c>; 429 when empty), spent only by devices whose token
/// and origin passed; a bucket of its own per address for refused attempts (<c>RefusedRatePerSecond</c>,
/// <c>RefusedBurst</c>; past it a refusal is 429), so a client sending bad tokens cannot spend what valid
/// devices behind the same address need; and a cap on sockets at once (<c>MaxConnections</c>; 503 when
/// reached). Counting covers handshakes and closing sockets too. What keeps the process under its
/// open-file limit is <see cref="SocketBudget"/>, which counts every accepted socket. Addresses are
/// counted by <see cref="ClientAddresses.Bucket"/>.
/// </summary>
internal sealed class ConnectionGate : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _rate;
    private readonly PartitionedRateLimiter<IPAddress> _refusals;
    private int _open;

    public ConnectionGate(IOptions<BrokerOptions> options)
    {
        var o = options.Value;
        MaxConnections = EffectiveMaxConnections(o);
        _rate = PerAddress(o.ConnectBurst, o.ConnectRatePerSecond);
        _refusals = PerAddress(o.RefusedBurst, o.RefusedRatePerSecond);
    }

    public int MaxConnections { get; }

    public int Open => Volatile.Read(ref _open);

    public static int EffectiveMaxConnections(BrokerOptions options) =>
        options.MaxConnections > 0 ? options.MaxConnections : OpenFileLimit.DefaultMaxConnections();

    /// <summary>Takes one token from the address's bucket for an admissible device; false means 429.</summary>
    public bool TryAcceptRate(IPAddress? address)
    {
        using var lease = _rate.AttemptAcquire(ClientAddresses.Bucket(address));
        return lease.IsAcquired;
    }

    /// <summary>Counts one refused attempt (bad token, foreign origin) from the address; false means its refusals are spent: 429.</summary>
    public bool TryRefuse(IPAddress? address)
    {
        using var lease = _refusals.AttemptAcquire(ClientAddresses.Bucket(address));
        return lease.IsAcquired;
    }

    /// <summary>Counts one more socket; false (and nothing counted) means 503. Pair with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= MaxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);

    public void Dispose()
    {
        _rate.Dispose();
        _refusals.Dispose();
    }

    private static PartitionedRateLimiter<IPAddress> PerAddress(int burst, int perSecond) =>
        PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(
            address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = true,
                QueueLimit = 0,
            }));
}
