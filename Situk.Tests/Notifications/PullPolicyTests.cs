using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Tests.Notifications;

[Description("Situk:Notifications:Pull as configuration binds it: verdicts and certificate.issued by default, switchable per kind, unknown kinds refused.")]
public sealed class PullPolicyTests
{
    [Test]
    public void Both_verdicts_and_the_certificate_they_issue_are_pulled_by_default_and_nothing_else()
    {
        var policy = Policy([]);
        Assert.Multiple(() =>
        {
            Assert.That(policy.IsPull(NotificationKinds.VerdictCompetent), Is.True);
            Assert.That(policy.IsPull(NotificationKinds.VerdictNotYetCompetent), Is.True);
            Assert.That(policy.IsPull(NotificationKinds.CertificateIssued), Is.True, "it tells the competent verdict as plainly");
            Assert.That(NotificationKinds.Table.Keys.Where(policy.IsPull).Count(), Is.EqualTo(3));
        });
    }

    [Test]
    public void A_kind_can_be_switched_off_and_another_on()
    {
        var policy = Policy(new()
        {
            ["Situk:Notifications:Pull:verdict.competent"] = "false",
            ["Situk:Notifications:Pull:assessment.scheduled"] = "true",
        });
        Assert.Multiple(() =>
        {
            Assert.That(policy.IsPull(NotificationKinds.VerdictCompetent), Is.False);
            Assert.That(policy.IsPull(NotificationKinds.VerdictNotYetCompetent), Is.True);
            Assert.That(policy.IsPull(NotificationKinds.AssessmentScheduled), Is.True);
        });
    }

    [Test]
    public void An_unknown_kind_is_refused_with_the_key_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Policy(new() { ["Situk:Notifications:Pull:verdict.maybe"] = "true" }));
        Assert.That(error!.Message, Does.Contain("Situk:Notifications:Pull"));
    }

    [Test]
    public void A_pulled_notification_becomes_a_neutral_notice_and_others_pass_unchanged()
    {
        var policy = Policy([]);
        using var data = System.Text.Json.JsonDocument.Parse("""{"status":"competent"}""");
        var verdict = new PushNotification(7, NotificationKinds.VerdictCompetent, "Declared competent", "You are competent.", "/registrations/3",
            data.RootElement.Clone(), DateTimeOffset.UnixEpoch, Priority.High);
        var scheduled = verdict with { Kind = NotificationKinds.AssessmentScheduled };

        var notice = policy.ForPush(verdict, "en");
        Assert.Multiple(() =>
        {
            Assert.That(notice, Is.EqualTo(verdict with
            {
                Kind = "verdict", Title = "Your assessment result is available", Body = "", Data = null, Pull = true,
            }));
            Assert.That(policy.ForPush(verdict, "id").Title, Is.EqualTo("Hasil asesmen Anda sudah tersedia"), "in the recipient's language");
            Assert.That(notice.ToFrame(DateTimeOffset.UnixEpoch).Pull, Is.True);
            Assert.That(policy.ForPush(scheduled, "en"), Is.SameAs(scheduled));
            Assert.That(scheduled.ToFrame(DateTimeOffset.UnixEpoch).Pull, Is.Null);
        });
    }

    private static PullPolicy Policy(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddPullAfterPush();
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IOptions<PullOptions>>().Value; // validates, as ValidateOnStart does
        return provider.GetRequiredService<PullPolicy>();
    }
}
