using System.Net;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

[Description("GET /notifications/{id}/timeline over the whole system: a verdict acked on a device, emailed and read there shows each step as a stored row, in time order, to its owner and to admins only.")]
public sealed class NotificationTimelineTests
{
    private SystemFixture _system = null!;
    private VerdictDelivery _verdict = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await SystemFixture.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _verdict = await VerdictDelivery.RunAsync(_system, cts.Token);

        // The person reads it on that device.
        await _verdict.Device.SendFrameAsync(new ReadFrame([_verdict.VerdictId]), cts.Token);
        await VerdictDelivery.WaitUntilAsync(_system, "SELECT count(*) FROM notification_reads WHERE notification_id = @id", _verdict.VerdictId, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _verdict?.Device.Dispose();
        await _system.DisposeAsync();
    }

    [Test]
    public async Task The_owner_sees_every_step_of_a_verdict_in_time_order()
    {
        var timeline = await GetAsync(_verdict.Case.Asesi.Client);
        var steps = timeline.Steps;
        var kinds = steps.Select(s => s.Kind).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(timeline.NotificationId, Is.EqualTo(_verdict.VerdictId));
            Assert.That(timeline.UserId, Is.EqualTo(_verdict.Case.Asesi.Id));
            Assert.That(timeline.Kind, Is.EqualTo(NotificationKinds.VerdictCompetent));
            Assert.That(kinds[0], Is.EqualTo(TimelineSteps.Committed));
            Assert.That(kinds, Is.SupersetOf(new[]
            {
                TimelineSteps.Committed, TimelineSteps.Forwarded, TimelineSteps.Written, TimelineSteps.Acked, TimelineSteps.Emailed, TimelineSteps.Read,
            }));
            Assert.That(steps.Select(s => s.At), Is.Ordered, "oldest first");
            Assert.That(steps.All(s => s.At >= timeline.CreatedAt && s.DelayMs >= 0), Is.True, "no step before the commit");
        });

        var forwarded = steps.Single(s => s.Kind == TimelineSteps.Forwarded);
        var written = steps.Single(s => s.Kind == TimelineSteps.Written);
        var acked = steps.Single(s => s.Kind == TimelineSteps.Acked);
        var emailed = steps.Single(s => s.Kind == TimelineSteps.Emailed);
        var read = steps.Single(s => s.Kind == TimelineSteps.Read);
        Assert.Multiple(() =>
        {
            Assert.That(forwarded.Attempt, Is.EqualTo(1));
            Assert.That(written.At, Is.GreaterThanOrEqualTo(forwarded.At), "the broker writes what it was handed");
            Assert.That(acked.At, Is.GreaterThanOrEqualTo(written.At), "a device acks what was written to it");
            Assert.That(written.SessionId, Is.EqualTo(acked.SessionId));
            Assert.That(written.DeviceClass, Is.EqualTo(DeviceClasses.Android));
            Assert.That(acked.DeviceClass, Is.EqualTo(DeviceClasses.Android));
            Assert.That(acked.SessionId, Is.Not.Empty);
            Assert.That(acked.DelayMs, Is.EqualTo((acked.At - timeline.CreatedAt).TotalMilliseconds).Within(0.01));
            Assert.That(emailed.Reason, Is.EqualTo("always"));
            Assert.That(emailed.Attempt, Is.EqualTo(1));
            Assert.That(read.Via, Is.EqualTo("device"));
            Assert.That(read.SessionId, Is.EqualTo(acked.SessionId));
            Assert.That(read.DeviceClass, Is.EqualTo(DeviceClasses.Android));
            Assert.That(read.At, Is.GreaterThanOrEqualTo(acked.At));
        });
    }

    [Test]
    public async Task An_admin_sees_the_same_timeline()
    {
        var owners = await GetAsync(_verdict.Case.Asesi.Client);
        var admins = await GetAsync(_system.Api.Admin.Client);
        Assert.That(admins.Steps.Select(s => (s.Kind, s.At)), Is.EqualTo(owners.Steps.Select(s => (s.Kind, s.At))));
    }

    [Test]
    public async Task A_read_through_rest_is_a_step_of_its_own()
    {
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        using var sent = await _system.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { asesi.Id } }, title = "Jadwal", body = "Lihat jadwal." });
        sent.EnsureSuccessStatusCode();
        var id = await _system.Api.ScalarAsync<long>("SELECT id FROM notifications WHERE user_id = @id", ("id", asesi.Id));
        using var read = await asesi.Client.PostAsync($"api/v1/me/notifications/{id}/read", null);
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        using var response = await asesi.Client.GetAsync($"api/v1/notifications/{id}/timeline");
        var timeline = (await response.Content.ReadFromJsonAsync(SitukJson.Default.NotificationTimeline))!;
        var step = timeline.Steps.Single(s => s.Kind == TimelineSteps.Read);
        Assert.Multiple(() =>
        {
            Assert.That(step.Via, Is.EqualTo("rest"));
            Assert.That(step.SessionId, Is.Null);
        });
    }

    [Test]
    [Description("A 4xx from the SMTP server is an email-retry step with its error; the later 250 is emailed, attempt 2.")]
    public async Task Each_email_attempt_is_a_step()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _system.Smtp.RejectWith(451, "4.3.0 Try again later");
        long id;
        try
        {
            id = await SubmittedNotificationAsync();
            await VerdictDelivery.WaitUntilAsync(_system,
                "SELECT count(*) FROM email_attempts a JOIN email_outbox e ON e.id = a.email_id WHERE e.notification_id = @id AND a.outcome = 'retry'", id, cts.Token);
        }
        finally
        {
            _system.Smtp.Accept();
        }

        await VerdictDelivery.WaitUntilAsync(_system,
            "SELECT count(*) FROM email_attempts a JOIN email_outbox e ON e.id = a.email_id WHERE e.notification_id = @id AND a.outcome = 'sent'", id, cts.Token);
        var steps = (await GetAsync(_system.Api.Admin.Client, id)).Steps.Where(s => s.Kind.StartsWith("email", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(steps[0].Kind, Is.EqualTo(TimelineSteps.EmailRetry));
            Assert.That(steps[0].Attempt, Is.EqualTo(1));
            Assert.That(steps[0].Error, Does.Contain("Try again later"));
            Assert.That(steps[^1].Kind, Is.EqualTo(TimelineSteps.Emailed));
            Assert.That(steps[^1].Attempt, Is.EqualTo(steps.Count));
            Assert.That(steps.All(s => s.Reason == "always"), Is.True);
        });
    }

    [Test]
    public async Task A_refused_email_is_an_email_failed_step()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _system.Smtp.RejectWith(554, "5.7.1 Message refused");
        long id;
        try
        {
            id = await SubmittedNotificationAsync();
            await VerdictDelivery.WaitUntilAsync(_system,
                "SELECT count(*) FROM email_attempts a JOIN email_outbox e ON e.id = a.email_id WHERE e.notification_id = @id AND a.outcome = 'failed'", id, cts.Token);
        }
        finally
        {
            _system.Smtp.Accept();
        }

        var failed = (await GetAsync(_system.Api.Admin.Client, id)).Steps.Single(s => s.Kind.StartsWith("email", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(failed.Kind, Is.EqualTo(TimelineSteps.EmailFailed));
            Assert.That(failed.Attempt, Is.EqualTo(1));
            Assert.That(failed.Error, Does.Contain("Message refused"));
        });
    }

    [Test]
    public async Task Another_asesi_is_refused_as_if_it_did_not_exist()
    {
        var other = await _system.Api.CreateUserAsync(Roles.Asesi);
        var before = await _system.Api.CountRowsAsync();
        using var response = await other.Client.GetAsync($"api/v1/notifications/{_verdict.VerdictId}/timeline");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(await _system.Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_asesor_of_the_registration_is_refused_too()
    {
        using var response = await _verdict.Case.Asesor.Client.GetAsync($"api/v1/notifications/{_verdict.VerdictId}/timeline");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [TestCase("999999999")]
    [TestCase("0")]
    [TestCase("-5")]
    public async Task An_unknown_id_is_404(string id)
    {
        using var response = await _system.Api.Admin.Client.GetAsync($"api/v1/notifications/{id}/timeline");
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"Notification {id}"));
    }

    [TestCase("abc")]
    [TestCase("1.5")]
    [TestCase("99999999999999999999")]
    [Description("As on every id route of the API (Hostile/RouteIdTests): an id that is not an int64 names nothing, so 404 problem+json.")]
    public async Task A_malformed_id_names_nothing_and_is_404(string id)
    {
        var before = await _system.Api.CountRowsAsync();
        using var response = await _system.Api.Admin.Client.GetAsync($"api/v1/notifications/{id}/timeline");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(await _system.Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Without_a_token_it_is_401()
    {
        using var client = _system.Api.CreateClient();
        using var response = await client.GetAsync($"api/v1/notifications/{_verdict.VerdictId}/timeline");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    // A fresh asesi's registration.submitted, the kind that is always emailed; returns its id.
    private async Task<long> SubmittedNotificationAsync()
    {
        var c = await new Scenario(_system.Api).CaseAtAsync(Situk.Api.Registrations.RegistrationStatus.Submitted);
        return await _system.Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @id AND kind = @kind", ("id", c.Asesi.Id), ("kind", NotificationKinds.RegistrationSubmitted));
    }

    private async Task<NotificationTimeline> GetAsync(HttpClient client, long? id = null)
    {
        using var response = await client.GetAsync($"api/v1/notifications/{id ?? _verdict.VerdictId}/timeline");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(SitukJson.Default.NotificationTimeline))!;
    }
}
