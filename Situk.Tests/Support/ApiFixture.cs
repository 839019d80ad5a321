using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Situk.Api;
using Situk.Api.Auth;
using Situk.Contracts;

namespace Situk.Tests.Support;

/// <summary>
/// The real API, started in-process on an ephemeral loopback port against a fresh <see cref="TestDatabase"/>
/// (the app applies the migrations itself, as in production), with helpers that create users of each
/// role and hand out <see cref="HttpClient"/>s carrying their real tokens (TodoApi's
/// <c>TodoApplication.CreateClient</c>, over a real socket). One per fixture:
/// <code>
/// _api = await ApiFixture.StartAsync();
/// var asesi = await _api.CreateUserAsync(Roles.Asesi);
/// var response = await asesi.Client.GetAsync("/api/v1/me/notifications");
/// </code>
/// </summary>
public sealed class ApiFixture : IAsyncDisposable
{
    public const string SigningKey = "situk-tests-signing-key-0123456789abcdef";
    public const string AdminEmail = "admin@situk.test";
    public const string AdminPassword = "admin-password-1";

    private static int _counter;
    private readonly List<HttpClient> _clients = [];

    private ApiFixture(TestDatabase database, WebApplication app, Uri baseAddress, string connectionString)
    {
        Database = database;
        App = app;
        BaseAddress = baseAddress;
        ConnectionString = connectionString;
    }

    public TestDatabase Database { get; }

    /// <summary>The database the app really uses: the fixture's own, unless the settings named another.</summary>
    public string ConnectionString { get; }

    public WebApplication App { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The first admin, created by the app from configuration at start.</summary>
    public TestUser Admin { get; private set; } = null!;

    /// <summary>The configuration every test app starts with; <paramref name="settings"/> add to or override it.</summary>
    public static Dictionary<string, string?> DefaultSettings(TestDatabase database) => new()
    {
        ["ConnectionStrings:Situk"] = database.ConnectionString,
        ["Situk:Jwt:SigningKey"] = SigningKey,
        ["Situk:Admin:Email"] = AdminEmail,
        ["Situk:Admin:Password"] = AdminPassword,
        ["Situk:Api:PublicBrokerUrl"] = "ws://127.0.0.1:5080/ws",
        // No broker and no mail server unless a test starts them (SystemFixture): the relays keep
        // retrying against the discard port and the outbox simply grows, as it would in production.
        ["Situk:Api:BrokerInternalUrl"] = "ws://127.0.0.1:9/internal",
        ["Situk:Broker:InternalKey"] = BrokerFixture.DefaultInternalKey,
        ["Situk:Smtp:Host"] = "127.0.0.1",
        ["Situk:Smtp:Port"] = "9",
        ["Situk:Smtp:From"] = "situk@situk.test",
        ["Situk:Smtp:UseTls"] = "false",
        // Tests sign in often from one address; the rate-limit tests lower these.
        ["Situk:RateLimit:TokenPerAddress"] = "100000",
        ["Situk:RateLimit:TokenPerEmail"] = "100000",
        ["Situk:RateLimit:SignUpPerAddress"] = "100000",
    };

    /// <summary>Starts the app; <paramref name="configure"/> runs last, before the app is built (fakes, extra services).</summary>
    public static async Task<ApiFixture> StartAsync(
        IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(migrate: false);
        var all = DefaultSettings(database);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = ApiApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new TestProgressLoggerProvider());
            configure?.Invoke(builder);
        });
        await ApiApp.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var fixture = new ApiFixture(database, app, new Uri(address.TrimEnd('/') + "/"), all["ConnectionStrings:Situk"]!);
        var adminId = await fixture.ScalarAsync<long>("SELECT id FROM users WHERE lower(email) = lower(@email)", ("email", AdminEmail));
        fixture.Admin = new TestUser(adminId, AdminEmail, AdminPassword, Roles.Admin, "Administrator", fixture.CreateClient(adminId, Roles.Admin));
        return fixture;
    }

    /// <summary>
    /// A client with no token. It asks for English problems (<c>Accept-Language: en</c>), the language the
    /// tests' assertions are written in; the API's default is Bahasa Indonesia. A test of the language itself
    /// sets or clears the header on its own request.
    /// </summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        _clients.Add(client);
        return client;
    }

    /// <summary>A client carrying a real token for this user, issued by the app's own <see cref="TokenIssuer"/>.</summary>
    public HttpClient CreateClient(long userId, string role) => CreateClient(IssueToken(userId, role));

    /// <summary>A client carrying exactly this bearer token (expired, forged, …).</summary>
    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public string IssueToken(long userId, string role) => App.Services.GetRequiredService<TokenIssuer>().Issue(userId, role).Token;

    public string IssueToken(long userId, string role, DateTimeOffset issuedAt, DateTimeOffset expiresAt) =>
        App.Services.GetRequiredService<TokenIssuer>().Issue(userId, role, issuedAt, expiresAt);

    /// <summary>
    /// A new user of this role with a unique email: an asesi signs up through <c>POST /accounts</c> and
    /// (unless <paramref name="verified"/> is false) follows the link in the sign-up email queued for
    /// them, an asesor is created by the admin through <c>POST /asesors</c>, an admin is inserted directly.
    /// </summary>
    public async Task<TestUser> CreateUserAsync(string role, string? fullName = null, bool verified = true)
    {
        var n = Interlocked.Increment(ref _counter);
        var email = $"{role}{n}-{Guid.NewGuid().ToString("N")[..6]}@situk.test";
        var password = $"password-{n}-secret";
        var name = fullName ?? $"{char.ToUpperInvariant(role[0])}{role[1..]} {n}";
        long id;
        if (role == Roles.Admin)
        {
            id = await ScalarAsync<long>(
                "INSERT INTO users (full_name, email, role, password_hash, email_verified_at) VALUES (@name, @email, 'admin', @hash, now()) RETURNING id",
                ("name", name), ("email", email), ("hash", Passwords.Hash(password)));
        }
        else if (role == Roles.Asesi)
        {
            var response = await CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = name, email, password });
            response.EnsureSuccessStatusCode();
            id = await ScalarAsync<long>("SELECT id FROM users WHERE email = @email", ("email", email));
            if (verified)
            {
                var confirmed = await CreateClient().PostAsJsonAsync("api/v1/accounts/verify", new { token = await VerificationTokenAsync(email) });
                confirmed.EnsureSuccessStatusCode();
            }
        }
        else
        {
            var response = await Admin.Client.PostAsJsonAsync("api/v1/asesors", new { fullName = name, email, password });
            response.EnsureSuccessStatusCode();
            id = (await response.Content.ReadFromJsonAsync<CreatedAccount>())!.Id;
        }

        return new TestUser(id, email, password, role, name, CreateClient(id, role));
    }

    /// <summary>
    /// The token in the newest sign-up verification email queued for this address (read from
    /// <c>email_outbox</c>, the text the relay sends; these tests run without a mail server).
    /// </summary>
    public async Task<string> VerificationTokenAsync(string email)
    {
        var text = await ScalarAsync<string>(
            """
            SELECT text_body FROM email_outbox
            WHERE to_address = @email AND notification_id IS NULL AND text_body LIKE '%verify-email#token=%' ORDER BY id DESC LIMIT 1
            """,
            ("email", email));
        return VerificationLink.TokenIn(text);
    }

    public NpgsqlConnection OpenDb()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>One value from the test database (parameters by name).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = OpenDb();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var result = await command.ExecuteScalarAsync();
        return (T)Convert.ChangeType(result, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>Row counts of the tables a refused request must leave alone.</summary>
    public async Task<Dictionary<string, long>> CountRowsAsync(params string[] tables)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in tables.Length > 0 ? tables : StoredTables)
        {
            counts[table] = await ScalarAsync<long>($"SELECT count(*) FROM {table}");
        }

        return counts;
    }

    public static readonly string[] StoredTables =
    [
        "users", "schemes", "scheme_units", "scheme_elements", "performance_criteria", "places", "schedules",
        "registrations", "apl02_answers", "assessment_records", "notifications", "push_outbox", "email_outbox", "idempotency_keys",
        "email_verifications", "password_resets",
        "evidence_files", "certificates", "certificate_sequences",
    ];

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed record CreatedAccount(long Id, string Email, string Role);
}

/// <summary>A user the fixture created, with a client carrying their token.</summary>
public sealed record TestUser(long Id, string Email, string Password, string Role, string FullName, HttpClient Client);
