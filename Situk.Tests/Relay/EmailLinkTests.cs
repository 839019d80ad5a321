using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Npgsql;
using Situk.Api.Escalation;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[Description("A mail client has no site to resolve /registrations/5 against: every email's link is absolute, on Situk:PublicWebUrl.")]
[NonParallelizable]
public sealed partial class EmailLinkTests
{
    private const string PublicWebUrl = "https://lsp.example/situk/";

    [Test]
    public async Task Every_email_carries_its_link_as_an_absolute_url_on_the_public_web_url()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var smtp = await SmtpSink.StartAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var user = await RelayData.CreateUserAsync(db);
        await using (var c = await dataSource.OpenConnectionAsync())
        await using (var tx = await c.BeginTransactionAsync())
        {
            await NotificationWriter.AddAsync(c, tx, [
                new NewNotification(user, NotificationKinds.RegistrationSubmitted, "Registration received", "We have your APL-01.", "/registrations/5"),
                new NewNotification(user, NotificationKinds.VerdictCompetent, "Verdict", "Competent.", "/registrations/6"),
                new NewNotification(user, NotificationKinds.AssessmentAssigned, "Asesor assigned", "Gede is your asesor.", "/registrations/7"),
                new NewNotification(user, NotificationKinds.RegistrationSubmitted, "Elsewhere", "An absolute link stays.", "https://bnsp.example/x?y=1&z=2"),
            ], CancellationToken.None);
            await tx.CommitAsync();
        }

        // The unacked assessment.assigned is emailed by escalation at its deadline.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        time.Advance(TimeSpan.FromHours(1));
        var escalation = new EmailEscalation(dataSource, Options.Create(new EscalationOptions()), time, NullLogger<EmailEscalation>.Instance);
        Assert.That(await escalation.EscalateDueAsync(CancellationToken.None), Is.EqualTo(1));

        var settings = RelayHost.Defaults($"ws://127.0.0.1:{PostgresServer.FreeTcpPort()}/internal", "unused-key", smtp.Port);
        settings["Situk:PublicWebUrl"] = PublicWebUrl;
        await using var host = await RelayHost.StartAsync(db.ConnectionString, settings);
        var messages = await smtp.WaitForMessagesAsync(4, TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(LinksOf(Find(messages, "Registration received")), Is.EqualTo(new[] { "https://lsp.example/situk/registrations/5" }));
            var assigned = LinksOf(Find(messages, "Asesor assigned"));
            Assert.That(assigned[0], Is.EqualTo("https://lsp.example/situk/registrations/7"), "the escalation email");
            Assert.That(assigned[1], Does.StartWith("https://lsp.example/situk/unsubscribe?token="), "an optional kind's unsubscribe link");
            Assert.That(assigned, Has.Length.EqualTo(2));
            Assert.That(LinksOf(Find(messages, "Elsewhere")), Is.EqualTo(new[] { "https://bnsp.example/x?y=1&z=2" }));
            var verdict = messages.Single(m => !new[] { "Registration received", "Asesor assigned", "Elsewhere" }.Contains(m.Subject));
            Assert.That(LinksOf(verdict), Is.EqualTo(new[] { "https://lsp.example/situk/registrations/6" }), "the neutral email of a pulled kind");
        });
    }

    [TestCase("lsp.example")]
    [TestCase("/situk")]
    [TestCase("javascript:alert(1)")]
    [TestCase("ftp://lsp.example")]
    [TestCase("https://lsp.example/?from=mail")]
    [Description("A base no mail client could open would put broken links in every email: the host does not start.")]
    public void A_public_web_url_that_is_not_an_absolute_http_url_stops_the_start(string url)
    {
        var settings = RelayHost.Defaults("ws://127.0.0.1:9/internal", "unused-key", 9);
        settings["Situk:PublicWebUrl"] = url;

        var refused = Assert.ThrowsAsync<OptionsValidationException>(() => RelayHost.StartAsync("Host=127.0.0.1;Port=9", settings));
        Assert.That(refused!.Message, Does.Contain("Situk:PublicWebUrl"));
    }

    private static MimeMessage Find(IEnumerable<MimeMessage> messages, string subject) => messages.Single(m => m.Subject == subject);

    /// <summary>Every link the reader can follow: each href of the HTML part and each URL of the text part, which must agree.</summary>
    private static string[] LinksOf(MimeMessage message)
    {
        var hrefs = Href().Matches(message.HtmlBody ?? "").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        var texts = Url().Matches(message.TextBody ?? "").Select(m => m.Value).ToArray();
        Assert.That(texts, Is.EqualTo(hrefs), $"text and HTML of '{message.Subject}' link to the same place");
        return hrefs;
    }

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();

    [GeneratedRegex(@"(?:https?:)?/\S*")]
    private static partial Regex Url();
}
