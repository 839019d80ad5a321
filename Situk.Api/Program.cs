using Situk.Api;

// Situk.Api: what it is made of is listed in ApiApp.Build. `--migrate-only` applies the database
// migrations and exits 0 (the dev Up script runs it before starting the services).
var migrateOnly = args.Contains("--migrate-only", StringComparer.Ordinal);
var app = ApiApp.Build([.. args.Where(a => a != "--migrate-only")]);
await ApiApp.PrepareAsync(app, migrateOnly);
if (!migrateOnly)
{
    await app.RunAsync();
}

return 0;
