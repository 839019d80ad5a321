using System.Net;
using System.Net.Http.Json;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Every step is guarded by role (403), by whose registration it is (404) and by its status (409); refusals store nothing.")]
public sealed class RegistrationGuardTests : ApiTests
{
    [Test]
    public async Task Verifying_a_verified_registration_is_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Verified);
        await ProblemAssert.WrongStateAsync(await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }), RegistrationStatus.Verified);
    }

    [Test]
    public async Task Assigning_a_submitted_registration_is_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        await ProblemAssert.WrongStateAsync(await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = asesor.Id }), RegistrationStatus.Submitted);
    }

    [Test]
    public async Task Answering_apl02_twice_is_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Apl02Submitted);
        await ProblemAssert.WrongStateAsync(await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", Scenario.Apl02(c)), RegistrationStatus.Apl02Submitted);
    }

    [Test]
    public async Task Reviewing_apl02_before_it_is_submitted_is_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        await ProblemAssert.WrongStateAsync(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }), RegistrationStatus.Assigned);
    }

    [Test]
    public async Task Scheduling_before_eligibility_is_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Apl02Submitted);
        await ProblemAssert.WrongStateAsync(
            await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(2) }), RegistrationStatus.Apl02Submitted);
    }

    [Test]
    public async Task Records_and_verdict_before_scheduling_are_409_naming_its_status()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Eligible);
        await ProblemAssert.WrongStateAsync(await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c)), RegistrationStatus.Eligible);
        await ProblemAssert.WrongStateAsync(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true }), RegistrationStatus.Eligible);
    }

    [Test]
    [Description("Atomicity: a refused transition leaves no notification and no outbox row behind.")]
    public async Task A_refused_transition_leaves_no_notification()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        var before = await Api.CountRowsAsync();

        await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true });            // 409
        await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });                  // 422: no records
        await c.Asesi.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });                   // 403

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Each_step_refuses_the_wrong_role_with_403()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await Api.CountRowsAsync();
        var refusals = new[]
        {
            await c.Asesi.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }),
            await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = c.Asesor.Id }),
            await Api.Admin.Client.PutAsJsonAsync($"{c.Path}/apl02", Scenario.Apl02(c)),
            await c.Asesi.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }),
            await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(1) }),
            await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c)),
            await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true }),
            await c.Asesor.Client.PostAsJsonAsync("api/v1/registrations", new { scheduleId = c.ScheduleId, apl01 = Scenario.Apl01() }),
            await c.Asesi.Client.PostAsJsonAsync("api/v1/places", new { name = "x", address = "y" }),
            await c.Asesor.Client.PostAsJsonAsync("api/v1/asesors", new { fullName = "x", email = "x@situk.test", password = "password-1" }),
        };

        foreach (var response in refusals)
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        }

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Another_asesis_registration_is_404_not_403()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var stranger = await Api.CreateUserAsync(Roles.Asesi);

        await ProblemAssert.IsProblemAsync(await stranger.Client.GetAsync(c.Path), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await stranger.Client.PutAsJsonAsync($"{c.Path}/apl02", Scenario.Apl02(c)), HttpStatusCode.NotFound);
        var list = (await stranger.Client.GetFromJsonAsync<RegistrationPage>("api/v1/registrations"))!.Items;
        Assert.That(list, Is.Empty);
    }

    [Test]
    public async Task Another_asesors_registration_is_404()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Apl02Submitted);
        var stranger = await Api.CreateUserAsync(Roles.Asesor);

        await ProblemAssert.IsProblemAsync(await stranger.Client.GetAsync(c.Path), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await stranger.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }), HttpStatusCode.NotFound);
        Assert.That((await c.Asesor.Client.GetAsync(c.Path)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_registration_before_the_window_opens_or_after_it_closes_is_422()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var future = await Scenario.CreateScheduleAsync(scheme.Id, opensAt: DateTimeOffset.UtcNow.AddDays(1), closesAt: DateTimeOffset.UtcNow.AddDays(2));
        var past = await Scenario.CreateScheduleAsync(scheme.Id, opensAt: DateTimeOffset.UtcNow.AddDays(-2), closesAt: DateTimeOffset.UtcNow.AddDays(-1));
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync();

        await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(asesi, future), HttpStatusCode.UnprocessableEntity);
        await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(asesi, past), HttpStatusCode.UnprocessableEntity);

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_registration_over_the_quota_is_422()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id, quota: 1);
        var first = await Api.CreateUserAsync(Roles.Asesi);
        var second = await Api.CreateUserAsync(Roles.Asesi);

        Assert.That((await Scenario.RegisterAsync(first, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var problem = await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(second, schedule), HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("full"));
    }

    [Test]
    [Description("The schedule row lock makes the quota check race-free: of two asesi racing for the last seat, exactly one wins.")]
    public async Task Two_concurrent_registrations_for_the_last_seat_leave_exactly_one_winner()
    {
        for (var round = 0; round < 3; round++)
        {
            var scheme = await Scenario.CreateSchemeAsync();
            var schedule = await Scenario.CreateScheduleAsync(scheme.Id, quota: 1);
            var racers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Api.CreateUserAsync(Roles.Asesi)));

            var answers = await Task.WhenAll(racers.Select(r => Scenario.RegisterAsync(r, schedule)));

            Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
            Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.UnprocessableEntity), Is.EqualTo(racers.Length - 1));
            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE schedule_id = @s", ("s", schedule)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_second_registration_on_one_schedule_is_409()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await Api.CountRowsAsync();

        await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(c.Asesi, c.ScheduleId), HttpStatusCode.Conflict);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Scenario.RegisterAsync(c.Asesi, c.ScheduleId)));

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Apl02_must_answer_every_criterion_exactly_once()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var ids = c.CriterionIds;
        var before = await Api.CountRowsAsync();

        var missing = await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", new { answers = ids.Skip(1).Select(id => new { criterionId = id, competent = true }) });
        await ProblemAssert.NamesFieldAsync(missing, HttpStatusCode.UnprocessableEntity, "answers");
        var twice = await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", new { answers = ids.Append(ids[0]).Select(id => new { criterionId = id, competent = true }) });
        await ProblemAssert.NamesFieldAsync(twice, HttpStatusCode.UnprocessableEntity, $"answers[{ids.Count}].criterionId");
        var foreign = await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", new { answers = ids.Append(999_999).Select(id => new { criterionId = id, competent = true }) });
        await ProblemAssert.NamesFieldAsync(foreign, HttpStatusCode.UnprocessableEntity, $"answers[{ids.Count}].criterionId");

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("Requirement 11: the verdict re-checks the records.")]
    public async Task A_verdict_on_incomplete_records_is_422()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        var partial = new
        {
            observation = c.CriterionIds.Select(id => new { criterionId = id, competent = true }),
            portfolio = c.CriterionIds.Skip(1).Select(id => new { criterionId = id, competent = true }),
        };
        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", partial)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var competent in new[] { true, false })
        {
            var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent });
            await ProblemAssert.NamesFieldAsync(verdict, HttpStatusCode.UnprocessableEntity, "portfolio");
        }

        Assert.That(await Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Scheduled));
    }

    [Test]
    public async Task Declaring_competent_against_a_not_competent_record_is_422()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c, c.CriterionIds[^1]));
        var before = await Api.CountRowsAsync();

        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true });

        await ProblemAssert.NamesFieldAsync(verdict, HttpStatusCode.UnprocessableEntity, "competent");
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_assessment_date_in_the_past_is_422()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Eligible);
        var response = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(-1) });
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.UnprocessableEntity, "scheduledAt");
    }

    [Test]
    public async Task Assigning_someone_who_is_not_an_asesor_is_422()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Verified);
        var response = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = c.Asesi.Id });
        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.UnprocessableEntity, "asesorId");
    }

    [Test]
    public async Task Concurrent_reviews_of_one_registration_move_it_once()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Apl02Submitted);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => c.Asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { })));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.OK), Is.EqualTo(1));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(3));
        Assert.That(await Api.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE kind = 'assessment.eligible' AND user_id = @u", ("u", c.Asesi.Id)), Is.EqualTo(1));
    }

    [Test]
    public async Task Lists_show_each_role_what_it_may_see()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);

        var mine = (await c.Asesi.Client.GetFromJsonAsync<RegistrationPage>("api/v1/registrations"))!.Items;
        var asesors = (await c.Asesor.Client.GetFromJsonAsync<RegistrationPage>($"api/v1/registrations?status=assigned"))!.Items;
        var admins = (await Api.Admin.Client.GetFromJsonAsync<RegistrationPage>($"api/v1/registrations?scheduleId={c.ScheduleId}"))!.Items;

        Assert.That(mine!.Select(r => r.Id), Is.EqualTo(new[] { c.RegistrationId }));
        Assert.That(asesors!.Select(r => r.Id), Is.EqualTo(new[] { c.RegistrationId }));
        Assert.That(admins!.Select(r => r.Id), Is.EqualTo(new[] { c.RegistrationId }));
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.GetAsync("api/v1/registrations?status=bogus"), HttpStatusCode.BadRequest, "status");
    }
}
