using System.Net;
using System.Net.Http.Json;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("An admin's durable send: one admin.message and one push_outbox row per recipient, in one transaction.")]
public sealed class AdminNotificationsTests : ApiTests
{
    private Task<HttpResponseMessage> SendAsync(object to, string title = "Jadwal berubah") =>
        Api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to, title, body = "Uji kompetensi dipindah ke Senin.", link = "/schedules" });

    private async Task<(long Notifications, long Push, long Email)> CountAsync(string title) => (
        await Api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE title = @t", ("t", title)),
        await Api.ScalarAsync<long>("SELECT count(*) FROM push_outbox p JOIN notifications n ON n.id = p.notification_id WHERE n.title = @t", ("t", title)),
        await Api.ScalarAsync<long>("SELECT count(*) FROM email_outbox e JOIN notifications n ON n.id = e.notification_id WHERE n.title = @t", ("t", title)));

    [Test]
    public async Task Sending_to_user_ids_stores_one_message_per_user()
    {
        var a = await Api.CreateUserAsync(Roles.Asesi);
        var b = await Api.CreateUserAsync(Roles.Asesor);

        var response = await SendAsync(new { userIds = new[] { a.Id, b.Id, a.Id } }, "to-users");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await response.Content.ReadFromJsonAsync<SentCount>())!.Count, Is.EqualTo(2));
        Assert.That(await CountAsync("to-users"), Is.EqualTo((2L, 2L, 0L)));
        var inbox = (await b.Client.GetFromJsonAsync<InboxPage>("api/v1/me/notifications"))!;
        Assert.That(inbox.Items.Single().Link, Is.EqualTo("/schedules"));
    }

    [Test]
    public async Task Sending_to_a_role_reaches_every_user_of_that_role()
    {
        await Api.CreateUserAsync(Roles.Asesor);
        await Api.CreateUserAsync(Roles.Asesor);
        var asesors = await Api.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'asesor'");

        var response = await SendAsync(new { role = "asesor" }, "to-role");

        Assert.That((await response.Content.ReadFromJsonAsync<SentCount>())!.Count, Is.EqualTo(asesors));
        Assert.That(await CountAsync("to-role"), Is.EqualTo((asesors, asesors, 0L)));
        Assert.That(await Api.ScalarAsync<long>(
            "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.title = 'to-role' AND u.role <> 'asesor'"), Is.Zero);
    }

    [Test]
    public async Task Sending_to_all_reaches_everyone()
    {
        await Api.CreateUserAsync(Roles.Asesi);
        var users = await Api.ScalarAsync<long>("SELECT count(*) FROM users");

        var response = await SendAsync(new { all = true }, "to-all");

        Assert.That((await response.Content.ReadFromJsonAsync<SentCount>())!.Count, Is.EqualTo(users));
        Assert.That(await CountAsync("to-all"), Is.EqualTo((users, users, 0L)));
    }

    [Test]
    public async Task An_audience_with_two_targets_or_none_is_400_and_stores_nothing()
    {
        var before = await Api.CountRowsAsync();

        await ProblemAssert.NamesFieldAsync(await SendAsync(new { role = "asesi", all = true }), HttpStatusCode.BadRequest, "to");
        await ProblemAssert.NamesFieldAsync(await SendAsync(new { }), HttpStatusCode.BadRequest, "to");
        await ProblemAssert.NamesFieldAsync(await SendAsync(new { role = "ghost" }), HttpStatusCode.BadRequest, "to.role");
        await ProblemAssert.NamesFieldAsync(await SendAsync(new { userIds = Array.Empty<long>() }), HttpStatusCode.BadRequest, "to.userIds");

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Unknown_user_ids_are_422_and_nobody_is_sent_anything()
    {
        var a = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync();

        await ProblemAssert.NamesFieldAsync(await SendAsync(new { userIds = new[] { a.Id, 987_654_321L } }), HttpStatusCode.UnprocessableEntity, "to.userIds");

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("A message to one user has no audience query: the insert's foreign key finds the user missing, and the answer "
        + "is the same 422 naming the id, with or without an idempotency key; nothing is stored, and the key stays free.")]
    public async Task One_unknown_user_is_422_naming_the_id_and_stores_nothing([Values] bool withKey)
    {
        var before = await Api.CountRowsAsync();
        var key = Guid.NewGuid().ToString();

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications")
        {
            Content = JsonContent.Create(new { to = new { userIds = new[] { 987_654_321L } }, title = "nobody", body = "x" }),
        };
        if (withKey)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        var problem = await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.SendAsync(request), HttpStatusCode.UnprocessableEntity, "to.userIds");
        Assert.That(problem.GetRawText(), Does.Contain("987654321"));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));

        if (withKey)
        {
            // The claim rolled back with the failed insert: the key may be used for a valid message.
            var a = await Api.CreateUserAsync(Roles.Asesi);
            using var retry = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications")
            {
                Content = JsonContent.Create(new { to = new { userIds = new[] { a.Id } }, title = "somebody", body = "x" }),
            };
            retry.Headers.Add("Idempotency-Key", key);
            Assert.That((await Api.Admin.Client.SendAsync(retry)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await CountAsync("somebody"), Is.EqualTo((1L, 1L, 0L)));
        }
    }

    [Test]
    public async Task Only_admins_may_send()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        var response = await asesor.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { all = true }, title = "x", body = "y" });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
    }
}
