using Npgsql;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary>Creates the first admin from <c>Situk:Admin</c> at start, when no user has that email yet.</summary>
public static partial class AdminSeeder
{
    public static async Task EnsureAsync(NpgsqlDataSource db, AdminOptions admin, ILogger logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            return;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var id = await UserStore.CreateAsync(connection, "Administrator", admin.Email, admin.Password, null, Roles.Admin, ct);
        if (id is { } created)
        {
            LogCreated(logger, created);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Created the first admin (user {UserId}) from configuration")]
    private static partial void LogCreated(ILogger logger, long userId);
}
