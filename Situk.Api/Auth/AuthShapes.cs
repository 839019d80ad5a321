using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Auth;

/// <summary>Body of <c>POST /auth/refresh</c>: the refresh token from the last sign-in or refresh.</summary>
public sealed record RefreshRequest([Required, StringLength(RefreshTokenStore.TokenLength, MinimumLength = RefreshTokenStore.TokenLength)] string RefreshToken);
