using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

[Category("Faults")]
[NonParallelizable]
[Description(
    "The mail server away for a whole minute of real time while registrations queue their 'registration received' emails: " +
    "the relay keeps retrying with its capped back-off (Situk:Smtp:RetryMaxDelay, 1 s here), and once the server listens " +
    "again on the same port every email arrives, each exactly once.")]
public sealed class SmtpOutageTests
{
    private const int DuringOutage = 10;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Emails_queued_while_the_mail_server_is_down_for_a_minute_each_arrive_once_after_it_returns()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        await using var system = await SystemFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:RetryBaseDelay"] = "00:00:00.200",
            ["Situk:Smtp:RetryMaxDelay"] = "00:00:01",
            // The relay tries one row per wake while the server looks down; wake it every second.
            ["Situk:Relay:PollInterval"] = "00:00:01",
        });
        var scenario = new Scenario(system.Api);
        var scheme = await scenario.CreateSchemeAsync();
        var schedule = await scenario.CreateScheduleAsync(scheme.Id, quota: DuringOutage + 1);
        var asesis = new List<TestUser>();
        for (var i = 0; i <= DuringOutage; i++)
        {
            asesis.Add(await system.Api.CreateUserAsync(Roles.Asesi));
        }

        // Their sign-up links go out first; only the registration emails are counted below.
        var signUpMailSent = await Eventually.WaitAsync(
            async () => await system.Api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE state <> 'sent'") == 0, TimeSpan.FromSeconds(30), ct);
        Assert.That(signUpMailSent, Is.True, "the sign-up emails went out before the outage");
        var signUpMail = system.Smtp.Messages.Count;

        // One before the outage: the path really sends mail.
        await RegisterAsync(asesis[0], schedule);
        await system.Smtp.WaitForMessagesAsync(signUpMail + 1, TimeSpan.FromSeconds(30));

        await system.Smtp.StopAsync();
        var down = Stopwatch.StartNew();
        Assert.That(await IsListeningAsync(system.Smtp.Port), Is.False, "nothing listens on the API's SMTP port");
        foreach (var asesi in asesis.Skip(1))
        {
            await RegisterAsync(asesi, schedule);
        }

        var attemptsMet = await Eventually.WaitAsync(
            async () => await system.Api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE state = 'pending' AND attempts >= 1 AND last_error IS NOT NULL") == DuringOutage,
            TimeSpan.FromSeconds(30), ct);
        Assert.That(attemptsMet, Is.True, "every queued email met the outage and stayed pending");
        await Task.Delay(Outage - down.Elapsed, ct);
        var attemptsDuringOutage = await system.Api.ScalarAsync<long>("SELECT min(attempts) FROM email_outbox WHERE state = 'pending'");

        await system.Smtp.StartAgainAsync();
        var messages = await system.Smtp.WaitForMessagesAsync(signUpMail + DuringOutage + 1, TimeSpan.FromSeconds(30));
        var allSent = await Eventually.WaitAsync(
            async () => await system.Api.ScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE state <> 'sent'") == 0,
            TimeSpan.FromSeconds(30), ct);
        messages = [.. system.Smtp.Messages.Skip(signUpMail)]; // a sent row is never claimed again: this is the final count

        Assert.Multiple(() =>
        {
            Assert.That(attemptsDuringOutage, Is.GreaterThanOrEqualTo(2), "the relay kept retrying through the minute with its capped back-off");
            Assert.That(allSent, Is.True, "every email_outbox row ends sent");
            Assert.That(messages.Select(m => m.Headers["X-Situk-Outbox-Id"]), Is.Unique, "no email was sent twice");
            Assert.That(messages.Select(m => m.To.Mailboxes.Single().Address), Is.EquivalentTo(asesis.Select(a => a.Email)),
                "each asesi got their 'registration received' email exactly once");
        });
    }

    private static async Task RegisterAsync(TestUser asesi, long schedule)
    {
        using var response = await Scenario.RegisterAsync(asesi, schedule);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
