using Npgsql;
using Situk.Api.Notifications;
using Situk.Tests.Support;

namespace Situk.Tests.Preferences;

/// <summary>Notifications written the way the business process writes them, and what outbox rows they got.</summary>
internal static class PreferenceWrites
{
    /// <summary>Writes one notification of this kind for the user through <see cref="NotificationWriter"/>; returns its id.</summary>
    public static async Task<long> WriteAsync(string connectionString, long userId, string kind, string title)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        var ids = await NotificationWriter.AddAsync(c, tx, [new NewNotification(userId, kind, title, "Isi pemberitahuan.", "/me")], CancellationToken.None);
        await tx.CommitAsync();
        return ids[0];
    }

    /// <summary>(inbox row, push_outbox row, email_outbox row) of one notification, as 0/1 counts.</summary>
    public static async Task<(long Inbox, long Push, long Email)> RowsAsync(ApiFixture api, long id) => (
        await api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE id = @id", ("id", id)),
        await api.ScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = @id", ("id", id)),
        await api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE notification_id = @id", ("id", id)));
}
