using Situk.Contracts;
using Situk.Tests.Support;
using Situk.Tests.Timeline;

namespace Situk.Tests.Notifications;

[Description("Situk:Notifications:Pull:verdict.competent=false: the verdict is pushed and emailed in full, as before pull after push.")]
public sealed class PullAfterPushOffTests
{
    private SystemFixture _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _system = await SystemFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Notifications:Pull:verdict.competent"] = "false" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task The_verdict_frame_and_email_carry_the_full_words()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var verdict = await VerdictDelivery.RunAsync(_system, cts.Token);
        using var device = verdict.Device;
        var frame = verdict.VerdictFrame;
        var emailId = await _system.Api.ScalarAsync<long>("SELECT id FROM email_outbox WHERE notification_id = @id", ("id", verdict.VerdictId));
        var mail = _system.Smtp.Messages.Single(m => m.Headers["X-Situk-Outbox-Id"] == emailId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            Assert.That(frame.Pull, Is.Null);
            Assert.That(frame.Kind, Is.EqualTo(NotificationKinds.VerdictCompetent));
            Assert.That(frame.Title, Is.EqualTo("Dinyatakan kompeten"));
            Assert.That(frame.Body, Does.Contain("Catatan asesor: Well done."));
            Assert.That(frame.Data?.GetProperty("status").GetString(), Is.EqualTo("competent"));
            Assert.That(verdict.RawVerdictFrame, Does.Not.Contain("\"pull\""));
            Assert.That(mail.Subject, Is.EqualTo("Dinyatakan kompeten"));
            Assert.That(mail.TextBody, Does.Contain("Well done."));
        });
    }
}
