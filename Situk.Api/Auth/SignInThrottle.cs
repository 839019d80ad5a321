using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Situk.Api.Hosting;

namespace Situk.Api.Auth;

/// <summary>
/// Slows password guessing without locking anyone out. Per client address only failed sign-ins count
/// (<see cref="RateLimitOptions.TokenPerAddress"/> per window), so a lab of hundreds behind one NAT
/// signs in freely. Per email, after <see cref="RateLimitOptions.TokenPerEmail"/> failures in a row
/// each further attempt waits a delay that doubles up to <see cref="RateLimitOptions.EmailDelayCap"/>;
/// during it every attempt for that email is 429 unchecked (and does not lengthen it), after it the
/// right password works and clears the count. An attempt in flight counts as a failure until it
/// succeeds, so a burst sent at once gets no more guesses than one sent in turn.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    // Emails are chosen by the caller: at most this many are remembered (the oldest idle go first).
    private const int MaxEmails = 100_000;
    private static readonly TimeSpan Forget = TimeSpan.FromHours(1);

    private readonly IOptions<RateLimitOptions> _limits;
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<string> _failuresByAddress;
    private readonly MemoryCache _emails = new(new MemoryCacheOptions { SizeLimit = MaxEmails });

    public SignInThrottle(IOptions<RateLimitOptions> limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
        _failuresByAddress = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetFixedWindowLimiter(address, _ => TokenRateLimits.Window(limits.Value.TokenPerAddress, limits.Value.Window)));
    }

    /// <summary>
    /// Whether a sign-in for this email from this address may be checked now; if not, how long to wait.
    /// A true answer must be followed by <see cref="Succeeded"/> or <see cref="Failed"/>.
    /// </summary>
    public bool TryBegin(string address, string email, out TimeSpan retryAfter)
    {
        using (var lease = _failuresByAddress.AttemptAcquire(address, 0))
        {
            if (!lease.IsAcquired)
            {
                retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _limits.Value.Window;
                return false;
            }
        }

        var state = _emails.GetOrCreate(email, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Forget;
            return new EmailState();
        })!;
        var now = _time.GetUtcNow();
        lock (state)
        {
            if (now < state.NotBefore)
            {
                retryAfter = state.NotBefore - now;
                return false;
            }

            state.Failures++;
            state.NotBefore = now + Delay(state.Failures);
        }

        retryAfter = TimeSpan.Zero;
        return true;
    }

    /// <summary>The right password: the email's count starts again.</summary>
    public void Succeeded(string email)
    {
        if (_emails.TryGetValue(email, out EmailState? state))
        {
            lock (state!)
            {
                state.Failures = 0;
                state.NotBefore = DateTimeOffset.MinValue;
            }
        }
    }

    /// <summary>A wrong password or unknown email: counts against the address (the email's count already has it).</summary>
    public void Failed(string address)
    {
        using var _ = _failuresByAddress.AttemptAcquire(address, 1);
    }

    public void Dispose()
    {
        _failuresByAddress.Dispose();
        _emails.Dispose();
    }

    /// <summary>No wait below the free failures; then base, 2×base, 4×base … up to the cap.</summary>
    private TimeSpan Delay(int failures)
    {
        var limits = _limits.Value;
        var beyond = failures - limits.TokenPerEmail;
        if (beyond < 0)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Pow(2, Math.Min(beyond, 40));
        var ticks = Math.Min(limits.EmailDelayBase.Ticks * factor, limits.EmailDelayCap.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private sealed class EmailState
    {
        public int Failures { get; set; }

        public DateTimeOffset NotBefore { get; set; } = DateTimeOffset.MinValue;
    }
}
