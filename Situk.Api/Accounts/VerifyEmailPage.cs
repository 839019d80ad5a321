using Situk.Api.Pages;

namespace Situk.Api.Accounts;

/// <summary>
/// <c>GET /verify-email#token=…</c>, the page the sign-up email links to. Opening it changes nothing:
/// mail scanners fetch links before people click them, so the token is spent only when the page's
/// button posts it to <c>POST /api/v1/accounts/verify</c>. The token rides in the fragment, which no
/// browser sends, so the GET carries no secret for a server or proxy to log; the page also sends no
/// referrer.
/// </summary>
public static class VerifyEmailPage
{
    /// <summary>The page's path, below <c>Situk:PublicWebUrl</c> in the email.</summary>
    public const string Path = "/verify-email";

    public static IEndpointRouteBuilder MapVerifyEmailPage(this IEndpointRouteBuilder app) =>
        app.MapEmbeddedFolder("verify", Path);
}
