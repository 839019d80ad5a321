using System.Net;
using System.Net.Http.Json;
using Dapper;
using Situk.Api.Registrations;
using Situk.Api.Schedules;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("POST /registrations/{id}/withdrawal: the asesi withdraws before an asesor is assigned; the seat is freed and every admin "
    + "is told by push. After assignment 409 naming the status, someone else's 404, admins and asesors 403; refusals store nothing.")]
public sealed class WithdrawalTests : ApiTests
{
    private static string Withdrawal(Case c) => $"{c.Path}/withdrawal";

    private Task<string> StatusAsync(long id) => Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", id));

    [TestCase(RegistrationStatus.Submitted)]
    [TestCase(RegistrationStatus.Verified)]
    public async Task The_asesi_withdraws_before_assignment_and_the_admins_are_told_by_push(string status)
    {
        var c = await Scenario.CaseAtAsync(status);

        using var response = await c.Asesi.Client.PostAsync(Withdrawal(c), null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var answer = (await response.Content.ReadFromJsonAsync<RegistrationStatusDto>())!;
        await using var db = Api.OpenDb();
        var admins = (await db.QueryAsync<long>("SELECT id FROM users WHERE role = 'admin' ORDER BY id")).ToArray();
        var told = (await db.QueryAsync<(long UserId, string Body, long Id)>(
            "SELECT user_id, body, id FROM notifications WHERE kind = @kind AND data->>'registrationId' = @id ORDER BY user_id",
            new { kind = NotificationKinds.RegistrationWithdrawn, id = c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToArray();
        var ids = told.Select(t => t.Id).ToArray();
        var pushed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM push_outbox WHERE notification_id = ANY(@ids)", new { ids });
        var emailed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM email_outbox WHERE notification_id = ANY(@ids)", new { ids });
        Assert.Multiple(async () =>
        {
            Assert.That(answer, Is.EqualTo(new RegistrationStatusDto(c.RegistrationId, RegistrationStatus.Withdrawn)));
            Assert.That(await StatusAsync(c.RegistrationId), Is.EqualTo(RegistrationStatus.Withdrawn));
            Assert.That(told.Select(t => t.UserId), Is.EqualTo(admins));
            Assert.That(told.Select(t => t.Body), Has.All.Contain(c.Asesi.FullName).And.All.Contain(c.Scheme.Name));
            Assert.That(pushed, Is.EqualTo(admins.Length));
            Assert.That(emailed, Is.Zero, "push only");
        });
    }

    [Test]
    [Description("The seat a withdrawn registration held is free: with a quota of one, someone else takes it, and the withdrawn asesi may come back later.")]
    public async Task Withdrawing_frees_the_seat_and_the_asesi_may_register_again()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id, quota: 1);
        var first = await Api.CreateUserAsync(Roles.Asesi);
        var second = await Api.CreateUserAsync(Roles.Asesi);
        using var registered = await Scenario.RegisterAsync(first, schedule);
        var id = (await registered.Content.ReadFromJsonAsync<RegistrationStatusDto>())!.Id;
        await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(second, schedule), HttpStatusCode.UnprocessableEntity);

        Assert.That((await first.Client.PostAsync($"api/v1/registrations/{id}/withdrawal", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await Api.Admin.Client.GetFromJsonAsync<ScheduleDto>($"api/v1/schedules/{schedule}"))!.Registered, Is.Zero);
        Assert.That((await Scenario.RegisterAsync(second, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await ProblemAssert.IsProblemAsync(await Scenario.RegisterAsync(first, schedule), HttpStatusCode.UnprocessableEntity);

        var elsewhere = await Scenario.CreateScheduleAsync(scheme.Id);
        Assert.That((await Scenario.RegisterAsync(first, elsewhere)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [TestCase(RegistrationStatus.Assigned)]
    [TestCase(RegistrationStatus.Apl02Submitted)]
    [TestCase(RegistrationStatus.Scheduled)]
    [TestCase(RegistrationStatus.Rejected)]
    public async Task Withdrawing_once_an_asesor_is_assigned_or_after_the_end_is_409_naming_the_status(string status)
    {
        var c = await Scenario.CaseAtAsync(status);
        var before = await Api.CountRowsAsync();

        await ProblemAssert.WrongStateAsync(await c.Asesi.Client.PostAsync(Withdrawal(c), null), status);

        Assert.That(await StatusAsync(c.RegistrationId), Is.EqualTo(status));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Withdrawing_twice_is_409_naming_withdrawn()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        Assert.That((await c.Asesi.Client.PostAsync(Withdrawal(c), null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await Api.CountRowsAsync();

        await ProblemAssert.WrongStateAsync(await c.Asesi.Client.PostAsync(Withdrawal(c), null), RegistrationStatus.Withdrawn);

        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Another_asesis_registration_is_404_and_admins_and_asesors_are_403()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var stranger = await Api.CreateUserAsync(Roles.Asesi);
        var before = await Api.CountRowsAsync();

        await ProblemAssert.IsProblemAsync(await stranger.Client.PostAsync(Withdrawal(c), null), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PostAsync(Withdrawal(c), null), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await c.Asesor.Client.PostAsync(Withdrawal(c), null), HttpStatusCode.Forbidden);

        Assert.That(await StatusAsync(c.RegistrationId), Is.EqualTo(RegistrationStatus.Submitted));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
    }

    [Test]
    [Description("The CHECKs hold a withdrawn registration to what the route allows: no asesor named on it.")]
    public async Task The_database_refuses_a_withdrawn_registration_with_an_asesor()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);

        var error = Assert.ThrowsAsync<Npgsql.PostgresException>(() => Api.ScalarAsync<long>(
            "UPDATE registrations SET status = 'withdrawn' WHERE id = @id RETURNING id", ("id", c.RegistrationId)));

        Assert.That(error!.ConstraintName, Is.EqualTo("registrations_withdrawn_unassigned"));
    }
}
