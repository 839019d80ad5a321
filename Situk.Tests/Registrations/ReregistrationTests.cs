using System.Net;
using System.Net.Http.Json;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("Registering again: after a rejection (the same schedule too), after a withdrawal, and after 'not yet competent' on a later "
    + "schedule; at most one active registration per asesi and scheme, competent included, held by the database against racing requests.")]
public sealed class ReregistrationTests : ApiTests
{
    private static async Task<long> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RegistrationStatusDto>())!.Id;
    }

    private Task<string> StatusAsync(long id) => Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", id));

    [Test]
    [Description("The old UNIQUE (schedule_id, asesi_id) answered this retry with 409 although the rejection had freed the seat.")]
    public async Task After_a_rejection_the_asesi_registers_again_on_the_same_schedule()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Rejected);

        var again = await CreatedIdAsync(await Scenario.RegisterAsync(c.Asesi, c.ScheduleId));

        Assert.Multiple(async () =>
        {
            Assert.That(again, Is.Not.EqualTo(c.RegistrationId));
            Assert.That(await StatusAsync(again), Is.EqualTo(RegistrationStatus.Submitted));
            Assert.That(await StatusAsync(c.RegistrationId), Is.EqualTo(RegistrationStatus.Rejected), "the rejected one stays on record");
        });
    }

    [TestCase(RegistrationStatus.Submitted)]
    [TestCase(RegistrationStatus.Verified)]
    [TestCase(RegistrationStatus.Assigned)]
    [TestCase(RegistrationStatus.Scheduled)]
    public async Task A_second_active_registration_for_a_scheme_is_409_naming_the_first_and_stores_nothing(string status)
    {
        var c = await Scenario.CaseAtAsync(status);
        var other = await Scenario.CreateScheduleAsync(c.Scheme.Id);
        var before = await Api.CountRowsAsync();

        foreach (var schedule in new[] { c.ScheduleId, other })
        {
            var problem = await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(c.Asesi, schedule), HttpStatusCode.Conflict);
            Assert.That(problem.GetProperty("registrationId").GetInt64(), Is.EqualTo(c.RegistrationId));
            Assert.That(problem.GetProperty("currentStatus").GetString(), Is.EqualTo(status));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"registration {c.RegistrationId}"));
        }

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("Competent counts as active: the asesi holds that scheme's certificate and does not register for it again.")]
    public async Task Competent_blocks_registering_for_the_same_scheme_and_stores_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var later = await Scenario.CreateScheduleAsync(c.Scheme.Id);
        var before = await Api.CountRowsAsync();

        var problem = await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(c.Asesi, later), HttpStatusCode.Conflict);

        Assert.That(problem.GetProperty("registrationId").GetInt64(), Is.EqualTo(c.RegistrationId));
        Assert.That(problem.GetProperty("currentStatus").GetString(), Is.EqualTo(RegistrationStatus.Competent));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_active_registration_for_another_scheme_does_not_block()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var otherScheme = await Scenario.CreateSchemeAsync();

        await CreatedIdAsync(await Scenario.RegisterAsync(c.Asesi, await Scenario.CreateScheduleAsync(otherScheme.Id)));
    }

    [Test]
    [Description("Not yet competent (here by the APL-02 review): the same schedule and one whose window overlaps the failed one are 422 "
        + "naming scheduleId; one that opens when the failed one has closed takes the registration.")]
    public async Task After_not_yet_competent_only_a_later_schedule_takes_the_asesi()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Eligible, apl02AllCompetent: false);
        Assert.That(await StatusAsync(c.RegistrationId), Is.EqualTo(RegistrationStatus.NotYetCompetent));
        var overlapping = await Scenario.CreateScheduleAsync(c.Scheme.Id);
        var before = await Api.CountRowsAsync();

        foreach (var schedule in new[] { c.ScheduleId, overlapping })
        {
            var refused = await ProblemAssert.NamesFieldAsync(await Scenario.RegisterAsync(c.Asesi, schedule), HttpStatusCode.UnprocessableEntity, "scheduleId");
            Assert.That(refused.GetProperty("detail").GetString(), Does.Contain($"Registration {c.RegistrationId}").And.Contain("not yet competent"));
        }

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));

        // The failed schedule's window ends; the next one opens after it.
        Assert.That((await Api.Admin.Client.PostAsync($"api/v1/schedules/{c.ScheduleId}/close", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var later = await Scenario.CreateScheduleAsync(c.Scheme.Id, opensAt: DateTimeOffset.UtcNow.AddMilliseconds(1), closesAt: DateTimeOffset.UtcNow.AddDays(30));
        await Task.Delay(10);
        var again = await CreatedIdAsync(await Scenario.RegisterAsync(c.Asesi, later));

        Assert.That(await StatusAsync(again), Is.EqualTo(RegistrationStatus.Submitted));
        // The new one is active: a fourth schedule of the scheme is now a 409 naming it.
        var fourth = await Scenario.CreateScheduleAsync(c.Scheme.Id, opensAt: DateTimeOffset.UtcNow.AddMilliseconds(1), closesAt: DateTimeOffset.UtcNow.AddDays(30));
        await Task.Delay(10);
        var blocked = await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(c.Asesi, fourth), HttpStatusCode.Conflict);
        Assert.That(blocked.GetProperty("registrationId").GetInt64(), Is.EqualTo(again));
    }

    [Test]
    [Description("Several schedules of one scheme take separate row locks, so only the unique index can stop one asesi's parallel "
        + "registrations: exactly one wins, the others are 409 naming it, and one registration is stored.")]
    public async Task Concurrent_registrations_of_one_asesi_for_one_scheme_leave_exactly_one()
    {
        for (var round = 0; round < 3; round++)
        {
            var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
            var schedules = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Scenario.CreateScheduleAsync(scheme.Id)));
            var asesi = await Api.CreateUserAsync(Roles.Asesi);

            var answers = await Task.WhenAll(schedules.Concat(schedules).Select(s => Scenario.RegisterAsync(asesi, s)));

            var winners = answers.Where(a => a.StatusCode == HttpStatusCode.Created).ToArray();
            Assert.That(winners, Has.Length.EqualTo(1), string.Join(", ", answers.Select(a => (int)a.StatusCode)));
            var winner = await CreatedIdAsync(winners[0]);
            foreach (var loser in answers.Except(winners))
            {
                var problem = await ProblemAssert.IsProblemAsync(loser, HttpStatusCode.Conflict);
                Assert.That(problem.GetProperty("registrationId").GetInt64(), Is.EqualTo(winner));
            }

            Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE asesi_id = @a", ("a", asesi.Id)), Is.EqualTo(1));
            Assert.That(await Api.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE kind = @kind AND user_id = @a", ("kind", NotificationKinds.RegistrationSubmitted), ("a", asesi.Id)), Is.EqualTo(1));
        }
    }

    [Test]
    [Description("The rule is the database's, not only the API's: a second active row for the same asesi and scheme is refused by the "
        + "unique index even when written directly, and the scheme column follows the schedule.")]
    public async Task The_database_refuses_a_second_active_registration_written_directly()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Verified);
        var other = await Scenario.CreateScheduleAsync(c.Scheme.Id);

        var error = Assert.ThrowsAsync<Npgsql.PostgresException>(() => Api.ScalarAsync<long>(
            "INSERT INTO registrations (schedule_id, asesi_id, apl01) VALUES (@s, @a, '{}'::jsonb) RETURNING id", ("s", other), ("a", c.Asesi.Id)));

        Assert.That(error!.ConstraintName, Is.EqualTo("registrations_active_per_scheme"));
        Assert.That(await Api.ScalarAsync<long>("SELECT scheme_id FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(c.Scheme.Id));
    }
}
