using System.Net;
using System.Net.Http.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;
using Situk.Tests.Timeline;

namespace Situk.Tests.Notifications;

[Description("Pull after push, on by default for verdicts: the broker and the mailbox see only neutral words, the owner fetches the result over authenticated REST.")]
public sealed class PullAfterPushTests
{
    // Every word that would give the verdict away, and the asesor's note.
    private static readonly string[] ResultWords = ["competent", "kompeten", "Well done", "Declared", "Congratulations", "Dinyatakan", "Selamat"];

    private SystemFixture _system = null!;
    private VerdictDelivery _verdict = null!;
    private string _rawFrame = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await SystemFixture.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _verdict = await VerdictDelivery.RunAsync(_system, cts.Token);
        _rawFrame = _verdict.RawVerdictFrame;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _verdict?.Device.Dispose();
        await _system.DisposeAsync();
    }

    [Test]
    public void The_pushed_frame_is_a_neutral_notice_marked_pull()
    {
        var frame = _verdict.VerdictFrame;
        Assert.Multiple(() =>
        {
            Assert.That(frame.Pull, Is.True);
            Assert.That(frame.Id, Is.EqualTo(_verdict.VerdictId));
            Assert.That(frame.Kind, Is.EqualTo("verdict"));
            Assert.That(frame.Title, Is.EqualTo("Hasil asesmen Anda sudah tersedia"), "neutral words in the asesi's language (id by default)");
            Assert.That(frame.Body, Is.Empty);
            Assert.That(frame.Data, Is.Null);
            Assert.That(_rawFrame, Does.Contain("\"pull\":true"));
            Assert.That(frame.Link, Is.EqualTo($"/registrations/{_verdict.Case.RegistrationId}"));
            foreach (var word in ResultWords)
            {
                Assert.That(_rawFrame, Does.Not.Contain(word).IgnoreCase, _rawFrame);
            }
        });
    }

    [Test]
    [Description("The presence re-send, for a device that comes online after the verdict, publishes the same neutral notice.")]
    public async Task A_device_that_comes_online_later_also_gets_only_the_notice()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var c = await new Scenario(_system.Api).CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Scheduled);
        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true, note = "Well done." }, cts.Token);
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var id = await _system.Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @id AND kind = @kind", ("id", c.Asesi.Id), ("kind", NotificationKinds.VerdictCompetent));
        await VerdictDelivery.WaitUntilAsync(_system, "SELECT count(*) FROM push_outbox WHERE notification_id = @id AND state = 'forwarded'", id, cts.Token);

        using var device = await _system.ConnectDeviceAsync(c.Asesi, cts.Token);
        string raw;
        do
        {
            raw = System.Text.Encoding.UTF8.GetString((await device.ReceiveMessageAsync(cts.Token))!);
        }
        while (!raw.Contains($"\"id\":{id},", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(raw, Does.Contain("\"pull\":true"));
            foreach (var word in ResultWords)
            {
                Assert.That(raw, Does.Not.Contain(word).IgnoreCase, raw);
            }
        });
    }

    [Test]
    public void The_email_carries_only_neutral_words_and_a_link()
    {
        var mail = _system.Smtp.Messages
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, _verdict.Case.Asesi.Email, StringComparison.OrdinalIgnoreCase)))
            .Single(m => m.Headers["X-Situk-Outbox-Id"] == EmailIdOfVerdict().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var whole = $"{mail.Subject}\n{mail.TextBody}\n{mail.HtmlBody}";
        Assert.Multiple(() =>
        {
            Assert.That(mail.Subject, Is.EqualTo("Hasil asesmen Anda sudah tersedia"));
            Assert.That(mail.TextBody, Does.Contain("Silakan masuk untuk melihatnya."));
            Assert.That(mail.TextBody, Does.Contain($"/registrations/{_verdict.Case.RegistrationId}"));
            Assert.That(whole, Does.Not.Contain(_verdict.Case.Scheme.Name));
            foreach (var word in ResultWords)
            {
                Assert.That(whole, Does.Not.Contain(word).IgnoreCase, whole);
            }
        });
    }

    [Test]
    public async Task The_owner_fetches_the_full_verdict_over_rest()
    {
        using var response = await _verdict.Case.Asesi.Client.GetAsync($"api/v1/me/notifications/{_verdict.VerdictId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var item = (await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxItem))!;
        Assert.Multiple(() =>
        {
            Assert.That(item.Id, Is.EqualTo(_verdict.VerdictId));
            Assert.That(item.Kind, Is.EqualTo(NotificationKinds.VerdictCompetent));
            Assert.That(item.Title, Is.EqualTo("Dinyatakan kompeten"));
            Assert.That(item.Body, Does.Contain("Anda dinyatakan kompeten pada skema sertifikasi").And.Contain("Catatan asesor: Well done."));
            Assert.That(item.Data?.GetProperty("status").GetString(), Is.EqualTo("competent"));
            Assert.That(item.DeliveredAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task The_inbox_page_keeps_the_full_words()
    {
        using var response = await _verdict.Case.Asesi.Client.GetAsync($"api/v1/me/notifications?after={_verdict.VerdictId - 1}&limit=1");
        var page = (await response.Content.ReadFromJsonAsync(SitukJson.Default.InboxPage))!;
        Assert.That(page.Items.Single().Title, Is.EqualTo("Dinyatakan kompeten"));
    }

    [Test]
    public async Task Another_user_cannot_fetch_it()
    {
        var other = await _system.Api.CreateUserAsync(Roles.Asesi);
        foreach (var client in new[] { other.Client, _verdict.Case.Asesor.Client, _system.Api.Admin.Client })
        {
            using var response = await client.GetAsync($"api/v1/me/notifications/{_verdict.VerdictId}");
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
            Assert.That(problem.ToString(), Does.Not.Contain("competent").IgnoreCase);
        }
    }

    [TestCase("abc")]
    [TestCase("12x")]
    [Description("As on every id route of the API: an id that is not an int64 names nothing, so 404 problem+json.")]
    public async Task A_malformed_id_names_nothing_and_is_404(string id)
    {
        using var response = await _verdict.Case.Asesi.Client.GetAsync($"api/v1/me/notifications/{id}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_unknown_id_is_404_and_unread_count_still_answers()
    {
        using var unknown = await _verdict.Case.Asesi.Client.GetAsync("api/v1/me/notifications/987654321");
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        using var count = await _verdict.Case.Asesi.Client.GetAsync("api/v1/me/notifications/unread-count");
        Assert.That(count.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    [Description("Situk.Client gets the neutral notice on its socket, fetches the item with its token and hands the full verdict to the app, once.")]
    public async Task The_dotnet_client_raises_the_full_item()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var scenario = new Scenario(_system.Api);
        var c = await scenario.CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Scheduled);
        await using var client = new SitukDeviceClient(new SitukClientOptions
        {
            BrokerUrl = _system.Broker.DeviceUri,
            ApiUrl = _system.Api.BaseAddress,
            TokenProvider = _ => ValueTask.FromResult(_system.Api.IssueToken(c.Asesi.Id, c.Asesi.Role)),
            DeviceClass = DeviceClasses.Desktop,
        });
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        for (var i = 0; i < 5; i++)
        {
            await client.Notifications.ReadAsync(cts.Token); // what came before: submitted … scheduled
        }

        // The connect's inbox sync has read to the end: a sync slow to start (its first request on a busy machine) would
        // otherwise fetch the verdict written below and hand it over before the socket's notice does.
        while (client.InboxSyncs == 0)
        {
            await Task.Delay(10, cts.Token);
        }

        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = false, note = "Portfolio incomplete." }, cts.Token);
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verdict.Content.ReadAsStringAsync(cts.Token));

        var received = await client.Notifications.ReadAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(received.Kind, Is.EqualTo(NotificationKinds.VerdictNotYetCompetent));
            Assert.That(received.Title, Is.EqualTo("Belum kompeten"));
            Assert.That(received.Body, Does.Contain("Portfolio incomplete."));
            Assert.That(received.Synced, Is.False, "came by the socket's pull notice, not the inbox sync");
            Assert.That(received.SentAt, Is.Not.Null);
        });

        // It acked the notice: the notification is delivered.
        await VerdictDelivery.WaitUntilAsync(_system, "SELECT count(*) FROM notifications WHERE id = @id AND delivered_at IS NOT NULL", received.Id, cts.Token);
    }

    private long EmailIdOfVerdict() =>
        _system.Api.ScalarAsync<long>("SELECT id FROM email_outbox WHERE notification_id = @id", ("id", _verdict.VerdictId)).GetAwaiter().GetResult();
}
