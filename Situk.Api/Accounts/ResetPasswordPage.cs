using Situk.Api.Pages;

namespace Situk.Api.Accounts;

/// <summary>
/// <c>GET /reset-password#token=…</c>, the page the reset email links to. Opening it changes nothing:
/// the token is spent only when its form posts the token and the new password to
/// <c>POST /api/v1/accounts/password-reset/confirm</c>. The token rides in the fragment, which no
/// browser sends, and the page sends no referrer (the same headers as <see cref="VerifyEmailPage"/>).
/// </summary>
public static class ResetPasswordPage
{
    /// <summary>The page's path, below <c>Situk:PublicWebUrl</c> in the email.</summary>
    public const string Path = "/reset-password";

    public static IEndpointRouteBuilder MapResetPasswordPage(this IEndpointRouteBuilder app) =>
        app.MapEmbeddedFolder("reset", Path);
}
