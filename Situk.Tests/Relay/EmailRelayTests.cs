using Situk.Api.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[TestFixture]
[NonParallelizable]
public sealed class EmailRelayTests
{
    private TestDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private RelayHost? _host;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    [Description("multipart/alternative from the row, marked sent with sent_at, once.")]
    public async Task Every_pending_email_is_sent_once_as_text_and_html()
    {
        var user = await RelayData.CreateUserAsync(_db);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await RelayData.QueueEmailAsync(_db, user, "Subject " + i));
        }

        _host = await StartHostAsync();
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM email_outbox WHERE state = 'sent' AND sent_at IS NOT NULL") == 5,
            "all five emails are marked sent");

        var messages = await _smtp.WaitForMessagesAsync(5, TimeSpan.FromSeconds(10));
        Assert.That(messages.Select(OutboxId), Is.EquivalentTo(ids));
        var first = messages[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.Body?.ContentType.MimeType, Is.EqualTo("multipart/alternative"));
            Assert.That(first.TextBody?.Trim(), Is.EqualTo("Plain body"));
            Assert.That(first.HtmlBody?.Trim(), Is.EqualTo("<p>HTML body</p>"));
            Assert.That(first.From?.ToString(), Does.Contain("noreply@situk.test"));
        });

        var afterNotify = await RelayData.QueueEmailAsync(_db, user, "Woken by NOTIFY");
        await _smtp.WaitForMessagesAsync(6, TimeSpan.FromSeconds(20));
        Assert.That(_smtp.Messages.Count(m => OutboxId(m) == afterNotify), Is.EqualTo(1));
    }

    [Test]
    [Description("SMTP down: rows stay pending with attempts and last_error; back up: each goes out exactly once.")]
    public async Task Emails_wait_while_smtp_is_down_and_each_goes_out_once_when_it_is_back()
    {
        await _smtp.StopAsync();
        var user = await RelayData.CreateUserAsync(_db);
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await RelayData.QueueEmailAsync(_db, user, "Down " + i));
        }

        _host = await StartHostAsync();
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM email_outbox WHERE attempts >= 1 AND last_error IS NOT NULL AND state = 'pending'") >= 1,
            "a failed attempt is recorded while SMTP is down");

        await _smtp.StartAgainAsync();
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<long>(_db, "SELECT count(*) FROM email_outbox WHERE state = 'sent'") == 4,
            "every email is sent once SMTP is back");
        await Task.Delay(TimeSpan.FromSeconds(2)); // let any stray duplicate arrive before counting

        var perRow = _smtp.Messages.GroupBy(OutboxId).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(perRow.Keys, Is.EquivalentTo(ids));
        Assert.That(perRow.Values, Is.All.EqualTo(1));
    }

    [Test]
    [Description("A 5xx is permanent: state failed, last_error kept, no further attempts.")]
    public async Task A_5xx_reply_marks_the_email_failed_and_it_is_not_retried()
    {
        _smtp.RejectWith(554, "5.7.1 Message refused");
        var user = await RelayData.CreateUserAsync(_db);
        var id = await RelayData.QueueEmailAsync(_db, user);
        _host = await StartHostAsync();

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_db, "SELECT state FROM email_outbox WHERE id = @id", new { id }) == "failed",
            "the email is marked failed");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several poll intervals

        Assert.Multiple(async () =>
        {
            Assert.That(await RelayData.ScalarAsync<int>(_db, "SELECT attempts FROM email_outbox WHERE id = @id", new { id }), Is.EqualTo(1));
            Assert.That(await RelayData.ScalarAsync<string>(_db, "SELECT last_error FROM email_outbox WHERE id = @id", new { id }), Does.Contain("refused"));
            Assert.That(_smtp.Rejected, Is.EqualTo(1));
            Assert.That(_smtp.Messages, Is.Empty);
        });
    }

    [Test]
    [Description("A 4xx is transient: retried with back-off until the server takes it.")]
    public async Task A_4xx_reply_is_retried_until_accepted()
    {
        _smtp.RejectWith(451, "4.3.0 Try again later");
        var user = await RelayData.CreateUserAsync(_db);
        var id = await RelayData.QueueEmailAsync(_db, user);
        _host = await StartHostAsync();

        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<int>(_db, "SELECT attempts FROM email_outbox WHERE id = @id", new { id }) >= 1,
            "the refused attempt is recorded");
        _smtp.Accept();
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<string>(_db, "SELECT state FROM email_outbox WHERE id = @id", new { id }) == "sent",
            "the email is sent after the server accepts again");
        Assert.That(_smtp.Messages, Has.Count.EqualTo(1));
    }

    private static long OutboxId(MimeKit.MimeMessage message) =>
        long.Parse(message.Headers[SmtpSender.OutboxIdHeader] ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    // No broker in these tests: the link retries against a closed port, which the email relay never needs.
    private Task<RelayHost> StartHostAsync() =>
        RelayHost.StartAsync(_db.ConnectionString, RelayHost.Defaults($"ws://127.0.0.1:{PostgresServer.FreeTcpPort()}/internal", "unused-key", _smtp.Port));
}
