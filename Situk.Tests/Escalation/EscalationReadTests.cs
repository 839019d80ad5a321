using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Situk.Api.Escalation;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Escalation;

[Description("A notification read in the REST inbox has been seen: no device ack is needed to cancel its escalation email.")]
[NonParallelizable]
public sealed class EscalationReadTests
{
    [Test]
    public async Task A_message_read_over_rest_before_its_deadline_is_never_emailed()
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // An asesor: admin-created, so no sign-up email shares the mail server with the escalation.
        var person = await api.CreateUserAsync(Roles.Asesor);
        var read = await SendAsync(api, person, "Read in the inbox");
        var unread = await SendAsync(api, person, "Never looked at");
        using (var response = await person.Client.PostAsync($"api/v1/me/notifications/{read}/read", null))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        // The existing escalation tests' way of driving time: the service on a FakeTimeProvider, scanned by hand.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new EscalationOptions();
        options.Deadlines[NotificationKinds.AdminMessage] = TimeSpan.FromMinutes(10);
        var escalation = new EmailEscalation(
            api.App.Services.GetRequiredService<NpgsqlDataSource>(), Options.Create(options), time, NullLogger<EmailEscalation>.Instance);
        Assert.That(await escalation.EscalateDueAsync(CancellationToken.None), Is.Zero, "nothing is due before the deadline");
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var queued = await escalation.EscalateDueAsync(CancellationToken.None);

        // The unread one proves the path to the mail server works; the read one must not follow it.
        var messages = await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // any second email would be in the same drain
        Assert.Multiple(async () =>
        {
            Assert.That(queued, Is.EqualTo(1), "only the unread message is escalated");
            Assert.That(smtp.Messages.Select(m => m.Subject), Is.EqualTo(new[] { "Never looked at" }));
            Assert.That(messages[0].To.ToString(), Does.Contain(person.Email));
            Assert.That(
                await api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE notification_id = @id", ("id", read)),
                Is.Zero);
            Assert.That(
                await api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE notification_id = @id", ("id", unread)),
                Is.EqualTo(1));
        });
    }

    private static async Task<long> SendAsync(ApiFixture api, TestUser to, string title)
    {
        using var response = await api.Admin.Client.PostAsJsonAsync(
            "api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title, body = "Bring your identity card." });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return await api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @user AND title = @title", ("user", to.Id), ("title", title));
    }
}
