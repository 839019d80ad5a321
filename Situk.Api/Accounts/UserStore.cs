using Dapper;
using Npgsql;
using Situk.Api.Auth;

namespace Situk.Api.Accounts;

/// <summary>The SQL over <c>users</c>.</summary>
public static class UserStore
{
    public sealed record UserRow(long Id, string Email, string Role, string PasswordHash);

    /// <summary>The new user's id, or null when the email (any case) is taken.</summary>
    public static Task<long?> CreateAsync(
        NpgsqlConnection connection, string fullName, string email, string password, string? phone, string role, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO users (full_name, email, phone, role, password_hash)
            VALUES (@fullName, @email, @phone, @role, @hash)
            ON CONFLICT ((lower(email))) DO NOTHING
            RETURNING id
            """,
            new { fullName = fullName.Trim(), email = email.Trim(), phone, role, hash = Passwords.Hash(password) },
            cancellationToken: ct));

    public static Task<UserRow?> FindByEmailAsync(NpgsqlConnection connection, string email, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id, email, role, password_hash AS passwordHash FROM users WHERE lower(email) = lower(@email)",
            new { email = email.Trim() },
            cancellationToken: ct));
}
