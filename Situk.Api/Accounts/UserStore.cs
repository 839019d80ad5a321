using Dapper;
using Npgsql;
using Situk.Api.Texts;

namespace Situk.Api.Accounts;

/// <summary>The SQL over <c>users</c>. Emails are passed in canonical form (<see cref="EmailAddresses.Canonical"/>).</summary>
public static partial class UserStore
{
    /// <summary>What sign-in needs; <c>Deactivated</c> users are refused even with the right password.</summary>
    public sealed record UserRow(long Id, string Email, string Role, string PasswordHash, bool Deactivated);

    /// <summary>Who holds an email now, and whether they proved it.</summary>
    public sealed record Holder(long Id, bool Verified);

    /// <summary>
    /// The new user's id, or null when the email is taken. <paramref name="verified"/> marks the address
    /// as proved (the first admin and admin-created asesors; a candidate proves it by the emailed link).
    /// </summary>
    public static Task<long?> CreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, string fullName, string email, string passwordHash, string? phone, string role, bool verified,
        LocaleChoice locale, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO users (full_name, email, phone, role, password_hash, email_verified_at, language, time_zone)
            VALUES (@fullName, @email, @phone, @role, @passwordHash, CASE WHEN @verified THEN now() END, @language, @timeZone)
            ON CONFLICT ((lower(email))) DO NOTHING
            RETURNING id
            """,
            new { fullName = fullName.Trim(), email, phone, role, passwordHash, verified, language = locale.Language, timeZone = locale.TimeZone },
            tx,
            cancellationToken: ct));

    public static Task<Holder?> FindHolderAsync(NpgsqlConnection connection, string email, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<Holder>(new CommandDefinition(
            "SELECT id, email_verified_at IS NOT NULL AS verified FROM users WHERE lower(email) = @email",
            new { email },
            cancellationToken: ct));

    public static Task<UserRow?> FindByEmailAsync(NpgsqlConnection connection, string email, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id, email, role, password_hash AS passwordHash, deactivated_at IS NOT NULL AS deactivated FROM users WHERE lower(email) = @email",
            new { email },
            cancellationToken: ct));

    public static Task<bool> IsVerifiedAsync(NpgsqlConnection connection, long userId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE id = @userId",
            new { userId },
            cancellationToken: ct));
}
