using Npgsql;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Notifications;

[Description("NotificationWriter without a caller's transaction: its batch is one implicit transaction, so a message to several "
    + "users is stored for all of them or for none.")]
public sealed class NotificationWriterBatchTests : ApiTests
{
    [Test]
    public async Task A_batch_whose_last_recipient_is_unknown_stores_nothing_for_the_others()
    {
        var a = await Api.CreateUserAsync(Roles.Asesi);
        var b = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync();
        await using var c = new NpgsqlConnection(Api.ConnectionString);
        await c.OpenAsync();

        NewNotification To(long userId) => new(userId, NotificationKinds.AdminMessage, "all-or-none", "Isi.", "/me");
        var failure = Assert.ThrowsAsync<PostgresException>(
            () => NotificationWriter.AddAsync(c, null, [To(a.Id), To(b.Id), To(987_654_321L)], CancellationToken.None));

        Assert.That(failure!.SqlState, Is.EqualTo(PostgresErrorCodes.ForeignKeyViolation));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before), "the first two were rolled back with the third");

        var ids = await NotificationWriter.AddAsync(c, null, [To(a.Id), To(b.Id)], CancellationToken.None);
        Assert.That(ids, Has.Count.EqualTo(2), "the connection is usable after the failure, and a valid batch commits by itself");
        Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE title = 'all-or-none'"), Is.EqualTo(2));
    }
}
