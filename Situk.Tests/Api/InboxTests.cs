using System.Net;
using System.Net.Http.Json;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The REST inbox: each notification once, oldest first, paged by id; read marks; only one's own.")]
public sealed class InboxTests : ApiTests
{
    private async Task SendAsync(TestUser to, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var response = await Api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title = $"Message {i}", body = $"Body {i}" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }
    }

    [Test]
    public async Task The_inbox_pages_oldest_first_with_after_and_limit()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await SendAsync(asesi, 5);

        var first = (await asesi.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications?limit=2"))!;
        var second = (await asesi.Client.GetFromJsonAsync<InboxPage>($"api/v1/me/notifications?after={first.Next}&limit=2"))!;
        var third = (await asesi.Client.GetFromJsonAsync<InboxPage>($"api/v1/me/notifications?after={second.Next}&limit=2"))!;
        var all = (await asesi.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!;

        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 1", "Message 2" }));
            Assert.That(second.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 3", "Message 4" }));
            Assert.That(third.Items.Select(i => i.Title), Is.EqualTo(new[] { "Message 5" }));
            Assert.That(first.Next, Is.EqualTo(first.Items[^1].Id));
            Assert.That(third.Next, Is.Null);
            Assert.That(all.Items, Has.Length.EqualTo(5));
            Assert.That(all.Items.Select(i => i.Id), Is.Ordered.Ascending);
            Assert.That(all.Items.Select(i => i.Kind), Is.All.EqualTo(NotificationKinds.AdminMessage));
            Assert.That(all.Items.Select(i => i.ReadAt), Is.All.Null);
            Assert.That(all.Items.Select(i => i.DeliveredAt), Is.All.Null);
            Assert.That(all.Items[0].Data?.GetProperty("from").GetInt64(), Is.EqualTo(Api.Admin.Id));
        });
    }

    [Test]
    public async Task Reading_a_notification_lowers_the_unread_count_once()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await SendAsync(asesi, 3);
        var items = (await asesi.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!.Items;

        var read = await asesi.Client.PostAsync($"api/v1/me/notifications/{items[1].Id}/read", null);
        var again = await asesi.Client.PostAsync($"api/v1/me/notifications/{items[1].Id}/read", null);

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await asesi.Client.GetFromJsonAsync<UnreadCount>("api/v1/me/notifications/unread-count"))!.Count, Is.EqualTo(2));
        var after = (await asesi.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!.Items;
        Assert.That(after[1].ReadAt, Is.Not.Null);
    }

    [Test]
    public async Task Someone_elses_notification_is_404_and_stays_unread()
    {
        var owner = await Api.CreateUserAsync(Roles.Asesi);
        var stranger = await Api.CreateUserAsync(Roles.Asesi);
        await SendAsync(owner, 1);
        var id = (await owner.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!.Items[0].Id;

        await ProblemAssert.IsProblemAsync(await stranger.Client.PostAsync($"api/v1/me/notifications/{id}/read", null), HttpStatusCode.NotFound);

        Assert.That((await stranger.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!.Items, Is.Empty);
        Assert.That((await owner.Client.GetFromJsonAsync<UnreadCount>("api/v1/me/notifications/unread-count"))!.Count, Is.EqualTo(1));
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("after=-1", "after")]
    public async Task Out_of_range_paging_is_400(string query, string field)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.NamesFieldAsync(await asesi.Client.GetAsync($"api/v1/me/notifications?{query}"), HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task A_paging_value_that_is_not_a_number_is_400()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.IsProblemAsync(await asesi.Client.GetAsync("api/v1/me/notifications?limit=ten"), HttpStatusCode.BadRequest);
    }
}
