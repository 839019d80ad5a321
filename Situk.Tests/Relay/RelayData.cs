using Dapper;
using Npgsql;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

/// <summary>Rows written the way the business process writes them: notification and outbox row in one transaction.</summary>
internal static class RelayData
{
    public static async Task<long> CreateUserAsync(TestDatabase db)
    {
        await using var connection = db.Open();
        return await connection.ExecuteScalarAsync<long>(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('Test User', @email, 'asesi', 'x') RETURNING id",
            new { email = Guid.NewGuid().ToString("N") + "@situk.test" });
    }

    /// <summary>Inserts notifications for the user, each with its push_outbox row, in one transaction; returns their ids.</summary>
    public static async Task<long[]> NotifyAsync(TestDatabase db, long userId, int count = 1)
    {
        await using var connection = db.Open();
        await using var tx = await connection.BeginTransactionAsync();
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO notifications (user_id, kind, title, body, link, data)
                VALUES (@userId, 'registration.verified', @title, 'Your APL-01 was verified.', '/registrations/1', '{"registrationId":1}')
                RETURNING id
                """,
                new { userId, title = "Verified " + i },
                tx);
            await connection.ExecuteAsync("INSERT INTO push_outbox (notification_id) VALUES (@id)", new { id = ids[i] }, tx);
        }

        await tx.CommitAsync();
        return ids;
    }

    public static async Task<long> QueueEmailAsync(TestDatabase db, long userId, string subject = "Registration received")
    {
        await using var connection = db.Open();
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO email_outbox (user_id, to_address, subject, text_body, html_body)
            VALUES (@userId, 'asesi@situk.test', @subject, 'Plain body', '<p>HTML body</p>')
            RETURNING id
            """,
            new { userId, subject });
    }

    public static async Task<T> ScalarAsync<T>(TestDatabase db, string sql, object? args = null)
    {
        await using var connection = db.Open();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after <paramref name="timeout"/> (generous: the machine is small).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting until " + what);
            }

            await Task.Delay(100);
        }
    }

    public static NpgsqlConnection Open(this TestDatabase db, string? applicationName) =>
        applicationName is null ? db.Open() : new NpgsqlConnection(db.ConnectionString + ";Application Name=" + applicationName);
}
