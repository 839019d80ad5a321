using Situk.Api.Pages;

namespace Situk.Api.Dashboard;

/// <summary>
/// The dashboard page (<c>/admin</c>) and its script and style, embedded in the assembly (see
/// <see cref="EmbeddedPages"/>). The page itself is public; everything it shows comes from admin-only routes.
/// </summary>
public static class DashboardPage
{
    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app) =>
        app.MapEmbeddedFolder("admin", "/admin");
}
