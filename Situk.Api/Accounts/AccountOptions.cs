using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Accounts;

/// <summary><c>Situk:Accounts</c>: how sign-up proves an email address.</summary>
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
}
