using System.Net;
using System.Net.Http.Json;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The inbox read newest first pages downwards by the same cursor; read-all marks only the caller's notifications.")]
public sealed class InboxOrderTests : ApiTests
{
    private async Task SendAsync(TestUser to, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            using var response = await Api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title = $"Message {i}", body = $"Body {i}" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }
    }

    private static async Task<InboxPage> PageAsync(TestUser user, string query) =>
        (await user.Client.GetFromJsonAsync<InboxPage>($"api/v1/me/notifications?{query}"))!;

    [Test]
    public async Task Newest_first_pages_downwards_without_gaps_or_repeats()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await SendAsync(asesi, 5);

        var first = await PageAsync(asesi, "order=desc&limit=2");
        var second = await PageAsync(asesi, $"order=desc&limit=2&after={first.Next}");
        var third = await PageAsync(asesi, $"order=desc&limit=2&after={second.Next}");
        var all = await PageAsync(asesi, "order=desc");
        var oldestFirst = await PageAsync(asesi, "order=asc");

        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 5", "Message 4" }));
            Assert.That(second.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 3", "Message 2" }));
            Assert.That(third.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 1" }));
            Assert.That(first.Next, Is.EqualTo(first.Items[^1].Id));
            Assert.That(third.Next, Is.Null);
            Assert.That(all.Items.Select(i => i.Id), Is.Ordered.Descending);
            Assert.That(all.Items.Select(i => i.Id), Is.EqualTo(oldestFirst.Items.Select(i => i.Id).Reverse()));
        });
    }

    [TestCase("order=newest", "order")]
    [TestCase("order=DESC", "order")]
    [TestCase("order=desc&limit=0", "limit")]
    [TestCase("order=desc&after=-1", "after")]
    public async Task A_bad_order_or_page_is_400_naming_it(string query, string field)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.NamesFieldAsync(await asesi.Client.GetAsync($"api/v1/me/notifications?{query}"), HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task Read_all_marks_only_the_callers_unread_notifications()
    {
        var reader = await Api.CreateUserAsync(Roles.Asesi);
        var other = await Api.CreateUserAsync(Roles.Asesi);
        await SendAsync(reader, 3);
        await SendAsync(other, 2);
        var alreadyRead = (await PageAsync(reader, "limit=1")).Items[0].Id;
        using (var one = await reader.Client.PostAsync($"api/v1/me/notifications/{alreadyRead}/read", null))
        {
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var firstReadAt = await Api.ScalarAsync<DateTime>("SELECT read_at FROM notifications WHERE id = @id", ("id", alreadyRead));

        using var response = await reader.Client.PostAsync("api/v1/me/notifications/read-all", null);
        using var again = await reader.Client.PostAsync("api/v1/me/notifications/read-all", null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That((await reader.Client.GetFromJsonAsync<UnreadCount>("api/v1/me/notifications/unread-count"))!.Count, Is.Zero);
            Assert.That((await other.Client.GetFromJsonAsync<UnreadCount>("api/v1/me/notifications/unread-count"))!.Count, Is.EqualTo(2));
            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @u AND read_at IS NOT NULL", ("u", other.Id)), Is.Zero);
            // A notification read before keeps its first read time; each gets one REST read record.
            Assert.That(await Api.ScalarAsync<DateTime>("SELECT read_at FROM notifications WHERE id = @id", ("id", alreadyRead)), Is.EqualTo(firstReadAt));
            Assert.That(await Api.ScalarAsync<long>(
                "SELECT count(*) FROM notification_reads r JOIN notifications n ON n.id = r.notification_id WHERE n.user_id = @u AND r.via = 'rest'",
                ("u", reader.Id)), Is.EqualTo(3));
            Assert.That(await Api.ScalarAsync<long>(
                "SELECT count(*) FROM notification_reads r JOIN notifications n ON n.id = r.notification_id WHERE n.user_id = @u", ("u", other.Id)), Is.Zero);
        });
    }
}
