using System.ComponentModel.DataAnnotations;
using System.Text;
using Situk.Api.Accounts;

namespace Situk.Api.Hosting;

/// <summary>
/// <c>Situk:Jwt</c>: how access tokens are signed. The broker checks the same token with the same
/// values: HMAC-SHA256 over the UTF-8 bytes of <see cref="SigningKey"/>.
/// </summary>
public sealed class JwtOptions : IValidatableObject
{
    public const string Section = "Situk:Jwt";

    /// <summary>HMAC-SHA256 key; its UTF-8 encoding must be at least 32 bytes. Required.</summary>
    [Required]
    public string SigningKey { get; set; } = "";

    /// <summary><c>iss</c> of issued tokens. Default <c>situk</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "situk";

    /// <summary><c>aud</c> of issued tokens. Default <c>situk</c>.</summary>
    [Required]
    public string Audience { get; set; } = "situk";

    /// <summary>Access-token lifetime. Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Encoding.UTF8.GetByteCount(SigningKey ?? "") < 32)
        {
            yield return new ValidationResult($"{Section}:SigningKey must be at least 32 bytes.", [nameof(SigningKey)]);
        }
    }
}

/// <summary><c>Situk:Api</c>: what the API tells clients about the rest of the system.</summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string Section = "Situk:Api";

    /// <summary>
    /// The device socket URL handed to clients with their token when <see cref="PublicBrokerUrls"/> is empty.
    /// Default <c>ws://localhost:5080/ws</c>.
    /// </summary>
    [Required]
    public string PublicBrokerUrl { get; set; } = "ws://localhost:5080/ws";

    /// <summary>
    /// Every broker's device socket URL, handed to clients with their token (<c>brokerUrls</c>); a client picks
    /// one at random and moves to the next when it fails. Empty (default) = just <see cref="PublicBrokerUrl"/>.
    /// Behind one load balancer, list only its URL (or leave this empty).
    /// </summary>
    public string[] PublicBrokerUrls { get; set; } = [];

    /// <summary>The broker URLs clients are given: <see cref="PublicBrokerUrls"/>, or <see cref="PublicBrokerUrl"/> alone.</summary>
    public IReadOnlyList<string> ClientBrokerUrls() => PublicBrokerUrls is { Length: > 0 } urls ? urls : [PublicBrokerUrl];

    /// <summary>
    /// Browser origins allowed to call the API (the broker's device page, a front-end). Empty (default) =
    /// any: the API authenticates with bearer tokens, never cookies, so a foreign origin gains nothing.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The broker's management endpoints, which the admin dashboard reads through the API. Default <c>http://127.0.0.1:5081</c>.</summary>
    public string BrokerAdminUrl { get; set; } = "http://127.0.0.1:5081";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsSocketUrl(PublicBrokerUrl))
        {
            yield return new ValidationResult($"{Section}:PublicBrokerUrl must be an absolute ws:// or wss:// URL.", [nameof(PublicBrokerUrl)]);
        }

        for (var i = 0; i < PublicBrokerUrls.Length; i++)
        {
            if (!IsSocketUrl(PublicBrokerUrls[i]))
            {
                yield return new ValidationResult($"{Section}:PublicBrokerUrls:{i} must be an absolute ws:// or wss:// URL.", [nameof(PublicBrokerUrls)]);
            }
        }
    }

    private static bool IsSocketUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == "ws" || uri.Scheme == "wss") && uri.Host.Length > 0;
}

/// <summary><c>Situk:Admin</c>: the first admin, created at start when no user has this email.</summary>
public sealed class AdminOptions
{
    public const string Section = "Situk:Admin";

    /// <summary>Empty = create no admin (the database must already hold one).</summary>
    [CanonicalEmail]
    public string? Email { get; set; }

    /// <summary>Required when <see cref="Email"/> is set; at least 8 characters.</summary>
    [MinLength(8)]
    public string? Password { get; set; }
}

/// <summary>
/// <c>Situk:RateLimit</c>: how hard the anonymous routes may be used. Sign-in (<c>POST /auth/token</c>):
/// per client address, <see cref="TokenPerAddress"/> failed sign-ins and <see cref="TokenRequestsPerAddress"/>
/// requests of any outcome per <see cref="Window"/>; per email, <see cref="TokenPerEmail"/> failures in a
/// row, then a delay from <see cref="EmailDelayBase"/> doubling with each further failure up to
/// <see cref="EmailDelayCap"/>. Sign-up: <see cref="SignUpPerAddress"/> per <see cref="SignUpWindow"/>.
/// A client address is an IPv4 address or an IPv6 /64, behind a trusted proxy the forwarded one.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Situk:RateLimit";

    /// <summary>Failed sign-ins per address per window; successful ones do not count. Default 60 (a lab of 300 behind one NAT mistypes).</summary>
    [Range(1, 1_000_000)]
    public int TokenPerAddress { get; set; } = 60;

    /// <summary>Sign-in requests of any outcome per address per window. Default 1200 (a lab of 300 signing in, several devices each).</summary>
    [Range(1, 1_000_000)]
    public int TokenRequestsPerAddress { get; set; } = 1200;

    /// <summary>
    /// Refreshes (<c>POST /auth/refresh</c>) per address per <see cref="Window"/>. Default 1200: a lab of 300
    /// behind one NAT that signed in together refreshes together (each device once per 80% of a token's
    /// life, spread by jitter), several devices each, with room for retries.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RefreshRequestsPerAddress { get; set; } = 1200;

    /// <summary>Failed sign-ins in a row for one email before each further one waits. Default 5.</summary>
    [Range(1, 1_000_000)]
    public int TokenPerEmail { get; set; } = 5;

    /// <summary>The first wait after <see cref="TokenPerEmail"/> failures; it doubles with each further failure. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan EmailDelayBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for one email, so that nobody can lock an account for longer. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan EmailDelayCap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The fixed window of the per-address sign-in limits. Default one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sign-ups (<c>POST /accounts</c>) per address per <see cref="SignUpWindow"/>. Default 600 (a lab of 300, and their retries).</summary>
    [Range(1, 1_000_000)]
    public int SignUpPerAddress { get; set; } = 600;

    /// <summary>Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SignUpWindow { get; set; } = TimeSpan.FromHours(1);
}

/// <summary><c>ConnectionStrings:Situk</c>, checked at start.</summary>
public sealed class DatabaseOptions
{
    [Required(ErrorMessage = "ConnectionStrings:Situk is required.")]
    public string ConnectionString { get; set; } = "";
}
