using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Situk.Api.Accounts;

/// <summary>
/// Whether the user behind a valid access token is still active. Access tokens are stateless JWTs
/// (the broker checks them without a database), so a deactivation would otherwise leave them working
/// until they expire. Each authenticated request asks this after the token's signature checks out:
/// the answer is read from <c>users.deactivated_at</c> and kept for
/// <see cref="AccountOptions.ActiveCheckInterval"/> (default 10 s), so a busy user costs one small
/// query per interval, and a deactivation reaches another API instance within that interval; the
/// instance that deactivates forgets its answer at once.
/// </summary>
public sealed partial class ActiveUsers : IDisposable
{
    // One small entry per user who made a request in the last interval; at most this many are kept.
    private const int MaxUsers = 200_000;

    private readonly NpgsqlDataSource _db;
    private readonly IOptions<AccountOptions> _options;
    private readonly ILogger<ActiveUsers> _logger;
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = MaxUsers });

    public ActiveUsers(NpgsqlDataSource db, IOptions<AccountOptions> options, ILogger<ActiveUsers> logger)
    {
        _db = db;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// False only for a user whose row says deactivated. While the database cannot be reached the user
    /// counts as active and nothing is remembered: the request's own work needs the database and gets
    /// its 503 there.
    /// </summary>
    public async ValueTask<bool> IsActiveAsync(long userId, CancellationToken ct)
    {
        if (_known.TryGetValue(userId, out bool known))
        {
            return known;
        }

        bool active;
        try
        {
            await using var c = await _db.OpenConnectionAsync(ct);
            active = !await UserStore.IsDeactivatedAsync(c, userId, ct);
        }
        catch (NpgsqlException ex)
        {
            LogUnchecked(_logger, userId, ex.Message);
            return true;
        }

        var interval = _options.Value.ActiveCheckInterval;
        if (interval > TimeSpan.Zero)
        {
            _known.Set(userId, active, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = interval });
        }

        return active;
    }

    /// <summary>Drops what this instance remembers of the user (after a deactivation or reactivation).</summary>
    public void Forget(long userId) => _known.Remove(userId);

    public void Dispose() => _known.Dispose();

    /// <summary>
    /// Runs after any check registered before it on the bearer scheme: a token of a deactivated user
    /// fails authentication, so the request is 401 like one with an expired token.
    /// </summary>
    internal static void Hook(JwtBearerOptions bearer, ActiveUsers users)
    {
        bearer.Events ??= new JwtBearerEvents();
        var earlier = bearer.Events.OnTokenValidated;
        bearer.Events.OnTokenValidated = async context =>
        {
            await earlier(context);
            if (context.Result is { Failure: not null })
            {
                return;
            }

            var sub = context.Principal?.FindFirst("sub")?.Value;
            if (long.TryParse(sub, NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
                && !await users.IsActiveAsync(userId, context.HttpContext.RequestAborted))
            {
                context.Fail("The account is deactivated.");
            }
        };
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Could not check whether user {UserId} is active (database unreachable): {Error}")]
    private static partial void LogUnchecked(ILogger logger, long userId, string error);
}
