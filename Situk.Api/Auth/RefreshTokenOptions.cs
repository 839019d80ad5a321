using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Auth;

/// <summary><c>Situk:Auth</c>: how long a device sign-in lasts without a password, and how often the expired refresh tokens are deleted.</summary>
public sealed class RefreshTokenOptions
{
    public const string Section = "Situk:Auth";

    /// <summary>
    /// Days a refresh token may be used; each refresh hands out a new one for this long again, so a device
    /// that refreshes at least this often stays signed in. Default 30.
    /// </summary>
    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>How often the sweeper deletes expired refresh tokens (also once at start). Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan RefreshTokenLifetime => TimeSpan.FromDays(RefreshTokenDays);
}
