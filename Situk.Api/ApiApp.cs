using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Accounts;
using Situk.Api.Auth;
using Situk.Api.Certificates;
using Situk.Api.Dashboard;
using Situk.Api.Digests;
using Situk.Api.Database;
using Situk.Api.Errors;
using Situk.Api.Escalation;
using Situk.Api.Evidence;
using Situk.Api.Hosting;
using Situk.Api.Idempotency;
using Situk.Api.Notifications;
using Situk.Api.Pages;
using Situk.Api.Places;
using Situk.Api.Preferences;
using Situk.Api.Registrations;
using Situk.Api.Relay;
using Situk.Api.Schedules;
using Situk.Api.Schemes;
using Situk.Api.Texts;
using Situk.Api.Timeline;

namespace Situk.Api;

/// <summary>
/// The API's table of contents: every service and every route group, in order. Program.cs and the
/// tests both build the app here, so tests run exactly what production runs.
/// </summary>
public static partial class ApiApp
{
    public const string DefaultUrl = "http://0.0.0.0:5000";

    /// <param name="configure">Last word before the app is built (tests: URLs, configuration, fakes).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root beside the assembly, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl); // ASPNETCORE_URLS or --urls win
        }

        // Kestrel resumes a request's code on the worker that completed its socket read, and sends its answer from the
        // worker that flushed it, instead of queuing each step to the thread pool: fewer wake-ups per call. Socket
        // completions still arrive on thread-pool workers, never inline on the socket engine's own thread (the
        // runtime's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS stays off), so nothing here runs where it could
        // stall other connections' I/O (docs/benchmarks.md, "Kestrel's pipes resumed inline").
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        DapperSetup.Configure();
        builder.Services.AddSitukOptions();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddNpgsqlDataSource(string.Empty, (sp, dataSource) =>
            DatabaseConnections.Configure(dataSource.ConnectionStringBuilder, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        builder.Services.AddSitukAuth();
        builder.Services.AddSitukProblems();
        builder.Services.AddValidation();
        builder.Services.RememberValidationInfo();
        builder.Services.AddSitukOpenApi();
        builder.Services.AddSitukRateLimits();
        builder.Services.AddSitukForwardedHeaders();
        builder.Services.AddSitukHealth();
        builder.Services.AddSitukCors();
        builder.Services.AddDashboard();
        builder.Services.AddSitukAccounts();
        builder.Services.AddEvidence();
        builder.Services.AddRegistrations();

        // The outbox relays: push to the broker, email over SMTP; their readiness check is "broker".
        builder.Services.AddRelays(builder.Configuration);
        builder.Services.AddEmailEscalation();
        builder.Services.AddIdempotencySweeper();
        builder.Services.AddCertificates();
        builder.Services.AddDigests();

        configure?.Invoke(builder);
        var app = builder.Build();

        app.UseSitukForwardedHeaders(); // first: everything after sees the client's address
        app.UseSitukProblems();
        app.UseSitukCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapSitukHealth();
        var api = app.MapGroup("/api/v1");
        api.MapAccounts();
        api.MapAuth();
        api.MapPlaces();
        api.MapSchemes();
        api.MapSchedules();
        api.MapRegistrations();
        api.MapEvidence();
        api.MapMyAssessments();
        api.MapCertificates();
        api.MapPreferences();
        api.MapInbox();
        api.MapAdminNotifications();
        api.MapDeliveryStats();
        api.MapTimeline();
        api.MapDashboard();
        app.MapDashboardPage();
        app.MapSharedPageFiles();
        app.MapVerifyEmailPage();
        app.MapResetPasswordPage();
        app.MapUnsubscribePage();
        return app;
    }

    /// <summary>
    /// What must hold before the app serves: valid configuration, an up-to-date schema, and (unless
    /// <paramref name="migrateOnly"/>) the first admin from configuration.
    /// </summary>
    public static async Task PrepareAsync(WebApplication app, bool migrateOnly = false, CancellationToken ct = default)
    {
        app.Services.ValidateSitukOptions();
        var connectionString = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
        await Migrator.MigrateAsync(connectionString, app.Logger, ct);
        if (!migrateOnly)
        {
            await AdminSeeder.EnsureAsync(
                app.Services.GetRequiredService<NpgsqlDataSource>(), app.Services.GetRequiredService<IOptions<AdminOptions>>().Value,
                app.Services.GetRequiredService<IOptions<TextOptions>>().Value.For(null, null),
                app.Logger,
                ct);

            // A kind made mandatory since someone switched its group's email off gets its email back.
            await PreferencesStartup.ReopenLockedEmailAsync(app.Services, app.Logger, ct);
        }
    }

    /// <summary>Prepares, then starts serving (returns once listening).</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken ct = default)
    {
        await PrepareAsync(app, ct: ct);
        await app.StartAsync(ct);
    }
}
