using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;
using Situk.Tests.Timeline;

namespace Situk.Tests.Digests;

[Description("Over the whole system (real broker socket, SMTP sink): three registrations reach the admin as one digest push and one digest email, the asesi's own notice still goes at once, and the item's timeline shows the digest and its own delivery.")]
public sealed class DigestDeliveryTests
{
    private SystemFixture _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _system = await SystemFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Digests:MaxItems"] = "3" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task Three_registrations_reach_the_admin_as_one_digest_while_each_asesi_is_told_at_once()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var api = _system.Api;
        var scenario = new Scenario(api);
        var scheme = await scenario.CreateSchemeAsync();
        var schedule = await scenario.CreateScheduleAsync(scheme.Id);
        using var adminDevice = await _system.ConnectDeviceAsync(api.Admin, cts.Token);
        var asesis = new List<TestUser>();
        foreach (var name in new[] { "Ayu Lestari", "Bima Saputra", "Citra Dewi" })
        {
            asesis.Add(await api.CreateUserAsync(Roles.Asesi, name));
        }

        // The first asesi's own notice arrives before any digest could be due (two of three items wait).
        using (var asesiDevice = await _system.ConnectDeviceAsync(asesis[0], cts.Token))
        {
            await RegisterAsync(asesis[0], schedule);
            var own = await asesiDevice.ReceiveNotificationAsync(cts.Token);
            Assert.That(own.Kind, Is.EqualTo(NotificationKinds.RegistrationSubmitted), "the asesi's own copy is not a digest");
            Assert.That(await api.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE kind = @kind", ("kind", NotificationKinds.Digest)), Is.Zero);
        }

        await RegisterAsync(asesis[1], schedule);
        await RegisterAsync(asesis[2], schedule);

        var (frame, before) = await NextDigestAsync(adminDevice, cts.Token);
        await adminDevice.SendFrameAsync(new AckFrame([frame.Id]), cts.Token);
        var items = (await api.ScalarAsync<string>(
            "SELECT string_agg(id::text, ',' ORDER BY id) FROM notifications WHERE user_id = @admin AND kind = @kind",
            ("admin", api.Admin.Id), ("kind", NotificationKinds.RegistrationSubmitted))).Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var mail = await _system.Smtp.MailToAsync(api.Admin.Email, "3 pendaftaran baru menunggu verifikasi");
        Assert.Multiple(async () =>
        {
            Assert.That(before, Is.Empty, "no registration reached the admin's device on its own");
            Assert.That(frame.Title, Is.EqualTo("3 pendaftaran baru menunggu verifikasi"));
            Assert.That(frame.Link, Is.EqualTo("/notifications"));
            Assert.That(frame.Data!.Value.GetProperty("items").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(items));
            Assert.That(mail.TextBody, Does.Contain("Ayu Lestari").And.Contain("Bima Saputra").And.Contain("Citra Dewi").And.Contain(" WIB — "));
            Assert.That(mail.HtmlBody, Does.Contain("<li "));
            foreach (var asesi in asesis)
            {
                Assert.That((await _system.Smtp.MailToAsync(asesi.Email, "Pendaftaran diterima")).TextBody, Does.Contain("telah kami terima"));
            }
        });

        await VerdictDelivery.WaitUntilAsync(_system, "SELECT count(*) FROM notifications WHERE id = @id AND delivered_at IS NOT NULL", frame.Id, cts.Token);
        await VerdictDelivery.WaitUntilAsync(_system,
            "SELECT count(*) FROM email_attempts a JOIN email_outbox e ON e.id = a.email_id WHERE e.notification_id = @id AND a.outcome = 'sent'", frame.Id, cts.Token);
        Assert.That(_system.Smtp.Messages.Count(m => m.To.Mailboxes.Any(b => b.Address == api.Admin.Email.ToLowerInvariant())), Is.EqualTo(1),
            "one email to the admin, for all three");

        var timeline = (await api.Admin.Client.GetFromJsonAsync($"api/v1/notifications/{items[1]}/timeline", SitukJson.Default.NotificationTimeline, cts.Token))!;
        Assert.Multiple(() =>
        {
            Assert.That(timeline.Steps.Select(s => s.Kind), Is.EqualTo(new[] { TimelineSteps.Committed, TimelineSteps.Digested }),
                "the item itself was neither pushed nor emailed: its digest was");
            Assert.That(timeline.Digest, Is.Not.Null);
            Assert.That(timeline.Digest!.NotificationId, Is.EqualTo(frame.Id));
            Assert.That(timeline.Digest.Kind, Is.EqualTo(NotificationKinds.Digest));
            Assert.That(timeline.Steps[1].At, Is.EqualTo(timeline.Digest.CreatedAt), "digested when the digest was written");
            Assert.That(timeline.Digest.Steps.Select(s => s.Kind), Is.SupersetOf(new[]
            {
                TimelineSteps.Committed, TimelineSteps.Forwarded, TimelineSteps.Written, TimelineSteps.Acked, TimelineSteps.Emailed,
            }));
        });
    }

    private static async Task RegisterAsync(TestUser asesi, long schedule)
    {
        var response = await Scenario.RegisterAsync(asesi, schedule);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Reads the device's frames up to the first digest; the kinds of those before it.</summary>
    private static async Task<(NotificationFrame Digest, List<string> Before)> NextDigestAsync(ClientWebSocket device, CancellationToken ct)
    {
        var before = new List<string>();
        while (true)
        {
            var frame = await device.ReceiveNotificationAsync(ct);
            if (frame.Kind == NotificationKinds.Digest)
            {
                return (frame, before);
            }

            before.Add(frame.Kind);
        }
    }
}
