using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Accounts;

/// <summary><c>Situk:Accounts</c>: how sign-up proves an email address, password resets, deactivation.</summary>
public sealed class AccountOptions
{
    public const string Section = "Situk:Accounts";

    /// <summary>How long a sign-up verification link works. Default two days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan VerificationLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// At most one sign-up email (a link, or "you already have an account") per account in this time,
    /// however often someone signs up with that address. Default ten minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan EmailInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a password-reset link works. Default one hour.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an API instance trusts what it last read about a user being active before it reads
    /// <c>users.deactivated_at</c> again on an authenticated request: the longest an access token of
    /// a deactivated user still works on another instance (the instance that deactivates forgets at
    /// once). Default ten seconds; zero reads on every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ActiveCheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
