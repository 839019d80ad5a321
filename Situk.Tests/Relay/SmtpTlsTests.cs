using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[Description("SMTP credentials travel only over TLS: a server (or a man in the middle) that does not offer STARTTLS gets neither the credentials nor the message.")]
[NonParallelizable]
public sealed class SmtpTlsTests
{
    private const string Password = "smtp-secret-Pa55word";

    [TestCase(false)]
    [TestCase(true)]
    public async Task With_credentials_and_no_starttls_on_offer_no_auth_and_no_message_is_sent_in_clear(bool useTls)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var smtp = ClearTextSmtpServer.Start();
        var user = await RelayData.CreateUserAsync(db);
        var id = await RelayData.QueueEmailAsync(db, user, "Never in clear");
        var settings = RelayHost.Defaults($"ws://127.0.0.1:{PostgresServer.FreeTcpPort()}/internal", "unused-key", smtp.Port);
        settings["Situk:Smtp:User"] = "relay@lsp.example";
        settings["Situk:Smtp:Password"] = Password;
        settings["Situk:Smtp:UseTls"] = useTls ? "true" : "false";

        var logs = new LogCapture();
        await using (await RelayHost.StartAsync(db.ConnectionString, settings, logs))
        {
            await RelayData.EventuallyAsync(
                async () => await RelayData.ScalarAsync<string>(db, "SELECT state FROM email_outbox WHERE id = @id", new { id }) == "failed",
                "the email is marked failed");
            await Task.Delay(TimeSpan.FromSeconds(2)); // two poll intervals: a retry would show now
        }

        var said = smtp.Commands;
        Assert.Multiple(async () =>
        {
            Assert.That(said, Has.Some.StartsWith("EHLO"), "the relay did reach this server");
            Assert.That(said, Has.None.StartsWith("AUTH"), string.Join('\n', said));
            Assert.That(said, Has.None.StartsWith("MAIL"), string.Join('\n', said));
            Assert.That(said, Has.None.StartsWith("DATA"), string.Join('\n', said));
            Assert.That(said, Has.None.Contains(Convert.ToBase64String("\0relay@lsp.example\0"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(Password)).ToArray())));
            Assert.That(await RelayData.ScalarAsync<int>(db, "SELECT attempts FROM email_outbox WHERE id = @id", new { id }), Is.EqualTo(1), "not retried");
            Assert.That(await RelayData.ScalarAsync<string>(db, "SELECT last_error FROM email_outbox WHERE id = @id", new { id }), Does.Contain("STARTTLS"));
            Assert.That(smtp.Connections, Is.EqualTo(1), "no quick retries either");
            Assert.That(logs.Lines, Has.Some.StartsWith("Error").And.Contains("SMTP TLS required"), "a clear error in the log");
            Assert.That(logs.Lines, Has.None.Contains(Password));
        });
    }
}
