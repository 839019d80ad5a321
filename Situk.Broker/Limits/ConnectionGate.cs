using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Limits;

/// <summary>
/// Admission for device sockets, checked before the upgrade: a token bucket per remote address
/// (<c>ConnectRatePerSecond</c>, <c>ConnectBurst</c>; 429 when empty) and a cap on sockets at once
/// (<c>MaxConnections</c>; 503 when reached). Counting covers handshakes and closing sockets too. What keeps
/// the process under its open-file limit is <see cref="SocketBudget"/>, which counts every accepted socket.
/// </summary>
internal sealed class ConnectionGate : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _rate;
    private int _open;

    public ConnectionGate(IOptions<BrokerOptions> options)
    {
        var o = options.Value;
        MaxConnections = EffectiveMaxConnections(o);
        _rate = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(
            address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.ConnectBurst,
                TokensPerPeriod = o.ConnectRatePerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = true,
                QueueLimit = 0,
            }));
    }

    public int MaxConnections { get; }

    public int Open => Volatile.Read(ref _open);

    public static int EffectiveMaxConnections(BrokerOptions options) =>
        options.MaxConnections > 0 ? options.MaxConnections : OpenFileLimit.DefaultMaxConnections();

    /// <summary>Takes one token from the address's bucket; false means 429.</summary>
    public bool TryAcceptRate(IPAddress? address)
    {
        using var lease = _rate.AttemptAcquire(address ?? IPAddress.None);
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

    public void Dispose() => _rate.Dispose();
}
