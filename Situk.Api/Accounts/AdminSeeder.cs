using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Hosting;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary>Creates the first admin from <c>Situk:Admin</c> at start, when no user has that email yet.</summary>
public static partial class AdminSeeder
{
    public static async Task EnsureAsync(NpgsqlDataSource db, AdminOptions admin, LocaleChoice locale, ILogger logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            return;
        }

        var email = EmailAddresses.Canonical(admin.Email)
            ?? throw new InvalidOperationException($"{AdminOptions.Section}:Email must be a bare email address (name@example.org).");
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UserStore.FindHolderAsync(connection, email, ct) is not null)
        {
            return;
        }

        // The operator vouches for the first admin's address: it counts as verified.
        var id = await UserStore.CreateAsync(connection, null, "Administrator", email, Passwords.Hash(admin.Password), null, Roles.Admin, verified: true, locale, ct);
        if (id is { } created)
        {
            LogCreated(logger, created);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Created the first admin (user {UserId}) from configuration")]
    private static partial void LogCreated(ILogger logger, long userId);
}
