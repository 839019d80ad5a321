using System.ComponentModel.DataAnnotations;
using System.Text;

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
public sealed class ApiOptions
{
    public const string Section = "Situk:Api";

    /// <summary>The device socket URL handed to clients with their token. Default <c>ws://localhost:5080/ws</c>.</summary>
    [Required]
    public string PublicBrokerUrl { get; set; } = "ws://localhost:5080/ws";

    /// <summary>
    /// Browser origins allowed to call the API (the broker's device page, a front-end). Empty (default) =
    /// any: the API authenticates with bearer tokens, never cookies, so a foreign origin gains nothing.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The broker's management endpoints, which the admin dashboard reads through the API. Default <c>http://127.0.0.1:5081</c>.</summary>
    public string BrokerAdminUrl { get; set; } = "http://127.0.0.1:5081";
}

/// <summary><c>Situk:Admin</c>: the first admin, created at start when no user has this email.</summary>
public sealed class AdminOptions
{
    public const string Section = "Situk:Admin";

    /// <summary>Empty = create no admin (the database must already hold one).</summary>
    [EmailAddress]
    public string? Email { get; set; }

    /// <summary>Required when <see cref="Email"/> is set; at least 8 characters.</summary>
    [MinLength(8)]
    public string? Password { get; set; }
}

/// <summary>
/// <c>Situk:RateLimit</c>: how often <c>POST /auth/token</c> may be called, per client address and per
/// email, within <see cref="Window"/>. Defaults: 20 per address and 5 per email per minute.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Situk:RateLimit";

    [Range(1, 1_000_000)]
    public int TokenPerAddress { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int TokenPerEmail { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary><c>ConnectionStrings:Situk</c>, checked at start.</summary>
public sealed class DatabaseOptions
{
    [Required(ErrorMessage = "ConnectionStrings:Situk is required.")]
    public string ConnectionString { get; set; } = "";
}
