using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Accounts;

/// <summary>Body of <c>POST /accounts</c>: an asesi signs up.</summary>
public sealed record SignUpRequest(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, EmailAddress, StringLength(254, MinimumLength = 3)] string Email,
    [Required, StringLength(128, MinimumLength = 8)] string Password,
    [StringLength(40)] string? Phone = null);

/// <summary>Body of <c>POST /asesors</c>: an admin creates an asesor account.</summary>
public sealed record NewAsesorRequest(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, EmailAddress, StringLength(254, MinimumLength = 3)] string Email,
    [Required, StringLength(128, MinimumLength = 8)] string Password,
    [StringLength(40)] string? Phone = null);

/// <summary>A created account.</summary>
public sealed record AccountDto(long Id, string Email, string Role);

/// <summary>Body of <c>POST /auth/token</c>.</summary>
public sealed record TokenRequest(
    [Required, StringLength(254, MinimumLength = 1)] string Email,
    [Required, StringLength(128, MinimumLength = 1)] string Password);

