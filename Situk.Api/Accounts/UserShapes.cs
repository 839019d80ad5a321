using System.ComponentModel.DataAnnotations;
using Situk.Api.Texts;

namespace Situk.Api.Accounts;

/// <summary>A user as <c>GET /me</c> and the admin's <c>GET /users</c> show them: never the password hash.</summary>
public sealed record UserDto(
    long Id, string Email, string FullName, string Role, bool EmailVerified, DateTimeOffset CreatedAt, DateTimeOffset? DeactivatedAt,
    string Language, string TimeZone);

/// <summary>Body of <c>PATCH /me</c>: what the caller changes; a field left out stays as it is.</summary>
public sealed record UpdateMeRequest([Language] string? Language = null, [TimeZoneId] string? TimeZone = null);

/// <summary>A page of <c>GET /users</c>; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record UserPage(UserDto[] Items, long? Next);

/// <summary>Body of <c>POST /admins</c>: an admin creates another admin (the same rules as an asesor).</summary>
public sealed record NewAdminRequest(
    [Required, StringLength(200, MinimumLength = 1)] string FullName,
    [Required, CanonicalEmail, StringLength(254, MinimumLength = 3)] string Email,
    [Required, StringLength(128, MinimumLength = 8)] string Password,
    [StringLength(40)] string? Phone = null,
    [Language] string? Language = null,
    [TimeZoneId] string? TimeZone = null);

/// <summary>Body of <c>POST /me/password</c>; the new password follows the sign-up rules (8–128 characters).</summary>
public sealed record ChangePasswordRequest(
    [Required, StringLength(128, MinimumLength = 1)] string CurrentPassword,
    [Required, StringLength(128, MinimumLength = 8)] string NewPassword);

/// <summary>Body of <c>POST /accounts/password-reset</c>.</summary>
public sealed record PasswordResetRequest([Required, CanonicalEmail, StringLength(254, MinimumLength = 3)] string Email);

/// <summary>Body of <c>POST /accounts/password-reset/confirm</c>: the token from the emailed link and the new password.</summary>
public sealed record PasswordResetConfirmRequest(
    [Required, StringLength(100, MinimumLength = 1)] string Token,
    [Required, StringLength(128, MinimumLength = 8)] string NewPassword);

/// <summary>The answer to <c>POST /accounts/password-reset</c>, the same whether or not the address has an account.</summary>
public sealed record PasswordResetAccepted(string Detail);

/// <summary>The answer to a used reset link.</summary>
public sealed record PasswordResetDone(bool PasswordChanged);

/// <summary>Body of <c>POST /users/{id}/deactivation</c>: <c>{}</c> when no reason is given.</summary>
public sealed record DeactivationRequest([StringLength(500)] string? Reason = null);

/// <summary>
/// The answer to a deactivation: the user, and whether the broker closed their open device sockets
/// (<c>SocketsClosed</c> false when it could not be reached: the deactivation stands, and sending it
/// again closes them).
/// </summary>
public sealed record DeactivationDto(UserDto User, string? Reason, bool SocketsClosed, int? ClosedSessions);
