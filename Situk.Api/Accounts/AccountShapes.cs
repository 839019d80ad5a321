using System.ComponentModel.DataAnnotations;
using Situk.Api.Texts;

namespace Situk.Api.Accounts;

/// <summary>Body of <c>POST /accounts</c>: an asesi signs up.</summary>
public sealed record SignUpRequest(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, CanonicalEmail, StringLength(254, MinimumLength = 3)] string Email,
    [Required, StringLength(128, MinimumLength = 8)] string Password,
    [StringLength(40)] string? Phone = null,
    [Language] string? Language = null,
    [TimeZoneId] string? TimeZone = null);

/// <summary>Body of <c>POST /asesors</c>: an admin creates an asesor account.</summary>
public sealed record NewAsesorRequest(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, CanonicalEmail, StringLength(254, MinimumLength = 3)] string Email,
    [Required, StringLength(128, MinimumLength = 8)] string Password,
    [StringLength(40)] string? Phone = null,
    [Language] string? Language = null,
    [TimeZoneId] string? TimeZone = null);

/// <summary>
/// The answer to <c>POST /accounts</c>, the same whether the email was new or taken, so that it never
/// tells who has an account: the email's owner gets a verification link or a "you already have an
/// account" notice.
/// </summary>
public sealed record SignUpAccepted(string Email, string Detail);

/// <summary>Body of <c>POST /accounts/verify</c>: the token from the sign-up email.</summary>
public sealed record VerifyEmailRequest([Required, StringLength(100, MinimumLength = 1)] string Token);

/// <summary>The answer to a used verification link.</summary>
public sealed record EmailVerifiedDto(long UserId, bool Verified);

/// <summary>A created account.</summary>
public sealed record AccountDto(long Id, string Email, string Role);

/// <summary>Body of <c>POST /auth/token</c>.</summary>
public sealed record TokenRequest(
    [Required, StringLength(254, MinimumLength = 1)] string Email,
    [Required, StringLength(128, MinimumLength = 1)] string Password);

