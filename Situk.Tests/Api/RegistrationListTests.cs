using System.Net;
using System.Net.Http.Json;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("GET /registrations pages by cursor, narrows by status, scheme, schedule, asesor and an APL-01 search, "
    + "and never shows an asesor more than their own; GET /me/assessments lists an asesor's assessments by date.")]
public sealed class RegistrationListTests : ApiTests
{
    private static async Task<RegistrationPage> PageAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"api/v1/registrations?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RegistrationPage>())!;
    }

    private static async Task<long[]> IdsAsync(HttpClient client, string query) => (await PageAsync(client, query)).Items.Select(r => r.Id).ToArray();

    private async Task<long> RegisterAsync(long scheduleId, string name, string identityNumber)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi, name);
        var apl01 = new
        {
            fullName = name, identityNumber, birthDate = "2000-01-02", address = "Jl. Kenjeran 12, Surabaya", education = "SMK",
        };
        using var response = await asesi.Client.PostAsJsonAsync("api/v1/registrations", new { scheduleId, apl01 });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RegistrationStatusDto>())!.Id;
    }

    [Test]
    [Description("Seven rows read three at a time: every row once, in id order, and the last page says there is no next.")]
    public async Task Paging_walks_every_row_once_without_gaps_or_repeats()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var created = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await RegisterAsync(schedule, $"Paging Asesi {i}", $"35780100000{i:00000}"));
        }

        var seen = new List<long>();
        var pages = 0;
        long? after = null;
        do
        {
            var page = await PageAsync(Api.Admin.Client, $"scheduleId={schedule}&limit=3" + (after is null ? "" : $"&after={after}"));
            Assert.That(page.Items, Has.Length.InRange(1, 3));
            seen.AddRange(page.Items.Select(r => r.Id));
            after = page.Next;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(seen, Is.EqualTo(created.Order().ToArray()));
            Assert.That(seen, Is.Unique);
        });
    }

    [Test]
    [Description("120 rows on one schedule (the old list stopped silently at a fixed cap): default pages of 50, 50 and 20, every row once.")]
    public async Task The_default_page_is_fifty_and_the_cursor_reaches_every_row()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var tag = Guid.NewGuid().ToString("N")[..8];
        // Two statements: the role CHECK on registrations sees users committed before its statement.
        await Api.ScalarAsync<long>(
            """
            WITH u AS (
                INSERT INTO users (full_name, email, role, password_hash)
                SELECT 'Bulk Asesi ' || g, 'bulk-' || @tag || '-' || g || '@situk.test', 'asesi', 'not-a-hash' FROM generate_series(1, 120) g
                RETURNING id)
            SELECT count(*) FROM u
            """,
            ("tag", tag));
        var inserted = await Api.ScalarAsync<long>(
            """
            WITH r AS (
                INSERT INTO registrations (schedule_id, asesi_id, apl01)
                SELECT @schedule, id, jsonb_build_object('fullName', full_name, 'identityNumber', '3578000000000000', 'birthDate', '2000-01-01',
                                                         'address', 'Surabaya', 'education', 'SMK')
                FROM users WHERE email LIKE 'bulk-' || @tag || '-%'
                RETURNING id)
            SELECT count(*) FROM r
            """,
            ("tag", tag), ("schedule", schedule));
        Assert.That(inserted, Is.EqualTo(120));

        var sizes = new List<int>();
        var seen = new List<long>();
        long? after = null;
        do
        {
            var page = await PageAsync(Api.Admin.Client, $"scheduleId={schedule}" + (after is null ? "" : $"&after={after}"));
            sizes.Add(page.Items.Length);
            seen.AddRange(page.Items.Select(r => r.Id));
            after = page.Next;
        }
        while (after is not null && sizes.Count < 10);

        Assert.Multiple(() =>
        {
            Assert.That(sizes, Is.EqualTo(new[] { RegistrationsApi.DefaultListLimit, RegistrationsApi.DefaultListLimit, 20 }));
            Assert.That(seen, Is.Unique.And.Ordered.Ascending);
            Assert.That(seen, Has.Count.EqualTo(120));
        });
    }

    [Test]
    public async Task Each_filter_narrows_the_list()
    {
        var assigned = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var submitted = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var admin = Api.Admin.Client;

        Assert.Multiple(async () =>
        {
            Assert.That(await IdsAsync(admin, $"schemeId={assigned.Scheme.Id}"), Is.EqualTo(new[] { assigned.RegistrationId }));
            Assert.That(await IdsAsync(admin, $"schemeId={submitted.Scheme.Id}"), Is.EqualTo(new[] { submitted.RegistrationId }));
            Assert.That(await IdsAsync(admin, $"scheduleId={submitted.ScheduleId}"), Is.EqualTo(new[] { submitted.RegistrationId }));
            Assert.That(await IdsAsync(admin, $"asesorId={assigned.Asesor.Id}"), Is.EqualTo(new[] { assigned.RegistrationId }));
            Assert.That(await IdsAsync(admin, $"asesorId={submitted.Asesor.Id}"), Is.Empty);
            Assert.That(await IdsAsync(admin, $"status=submitted&scheduleId={submitted.ScheduleId}"), Is.EqualTo(new[] { submitted.RegistrationId }));
            Assert.That(await IdsAsync(admin, $"status=assigned&scheduleId={submitted.ScheduleId}"), Is.Empty);
            Assert.That(await IdsAsync(admin, $"status=assigned&schemeId={assigned.Scheme.Id}&asesorId={assigned.Asesor.Id}"),
                Is.EqualTo(new[] { assigned.RegistrationId }));
        });
    }

    [Test]
    [Description("q finds APL-01's name or identity number, any case, part of either; LIKE wildcards and quotes are plain text.")]
    public async Task The_search_finds_a_candidate_by_name_or_identity_number()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var wayan = await RegisterAsync(schedule, $"I Wayan Sutrisna {tag}", "5171029988776655");
        var siti = await RegisterAsync(schedule, $"Siti Rahmawati {tag}", "3273014455667788");
        var admin = Api.Admin.Client;
        string Q(string text) => $"scheduleId={schedule}&q={Uri.EscapeDataString(text)}";

        Assert.Multiple(async () =>
        {
            Assert.That(await IdsAsync(admin, Q("wayan sutrisna")), Is.EqualTo(new[] { wayan }));
            Assert.That(await IdsAsync(admin, Q("RAHMAWATI")), Is.EqualTo(new[] { siti }));
            Assert.That(await IdsAsync(admin, Q("44556677")), Is.EqualTo(new[] { siti }));
            Assert.That(await IdsAsync(admin, Q(" 5171029988776655 ")), Is.EqualTo(new[] { wayan }));
            Assert.That(await IdsAsync(admin, Q(tag.ToUpperInvariant())), Is.EqualTo(new[] { wayan, siti }));
            Assert.That(await IdsAsync(admin, Q("%")), Is.Empty);
            Assert.That(await IdsAsync(admin, Q("_")), Is.Empty);
            Assert.That(await IdsAsync(admin, Q("Wayan%Sutrisna")), Is.Empty);
            Assert.That(await IdsAsync(admin, Q("' OR '1'='1")), Is.Empty);
            Assert.That(await IdsAsync(admin, Q("Budi")), Is.Empty);
        });

        // Without the schedule filter the search alone still finds only the two.
        Assert.That(await IdsAsync(admin, $"q={tag}"), Is.EqualTo(new[] { wayan, siti }));
    }

    [Test]
    [Description("Filters only narrow: an asesor naming another asesor, or another asesor's schedule or scheme, sees nothing of theirs.")]
    public async Task An_asesor_sees_only_their_own_whatever_the_filters()
    {
        var mine = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var theirs = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var me = mine.Asesor.Client;
        var theirName = theirs.Asesi.FullName;

        Assert.Multiple(async () =>
        {
            Assert.That(await IdsAsync(me, "limit=200"), Does.Contain(mine.RegistrationId).And.Not.Contain(theirs.RegistrationId));
            Assert.That(await IdsAsync(me, $"asesorId={theirs.Asesor.Id}"), Is.Empty);
            Assert.That(await IdsAsync(me, $"scheduleId={theirs.ScheduleId}"), Is.Empty);
            Assert.That(await IdsAsync(me, $"schemeId={theirs.Scheme.Id}"), Is.Empty);
            Assert.That(await IdsAsync(me, $"q={Uri.EscapeDataString(theirName)}"), Is.Empty);
            Assert.That(await IdsAsync(me, $"asesorId={mine.Asesor.Id}"), Is.EqualTo(new[] { mine.RegistrationId }));
            Assert.That(await IdsAsync(theirs.Asesi.Client, $"scheduleId={mine.ScheduleId}"), Is.Empty);
            Assert.That(await IdsAsync(Api.Admin.Client, $"asesorId={theirs.Asesor.Id}"), Is.EqualTo(new[] { theirs.RegistrationId }));
        });
    }

    [TestCase("status=bogus", "status")]
    [TestCase("schemeId=0", "schemeId")]
    [TestCase("scheduleId=-4", "scheduleId")]
    [TestCase("asesorId=0", "asesorId")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("after=-1", "after")]
    [TestCase("q=%20%20", "q")]
    [TestCase("schemeId=abc", "schemeId")]
    [TestCase("asesorId=1.5", "asesorId")]
    [TestCase("after=next", "after")]
    public async Task A_bad_filter_is_400_naming_the_parameter(string query, string field) =>
        await ProblemAssert.NamesFieldAsync(await Api.Admin.Client.GetAsync($"api/v1/registrations?{query}"), HttpStatusCode.BadRequest, field);

    [Test]
    public async Task A_search_longer_than_a_name_is_400_naming_q() =>
        await ProblemAssert.NamesFieldAsync(
            await Api.Admin.Client.GetAsync($"api/v1/registrations?q={new string('a', RegistrationsApi.MaxQueryLength + 1)}"), HttpStatusCode.BadRequest, "q");

    private static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"api/v1/me/assessments?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    [Test]
    [Description("Ordered by scheduled time, not by id; outside the range and other asesors' assessments are left out.")]
    public async Task An_asesor_lists_their_assessments_by_date_with_candidate_scheme_and_place()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        var later = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesor: asesor);
        var sooner = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesor: asesor);
        var outside = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesor: asesor);
        var unscheduled = await Scenario.CaseAtAsync(RegistrationStatus.Eligible, asesor: asesor);
        var someoneElses = await Scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        var now = DateTimeOffset.UtcNow;
        foreach (var (c, at) in new[] { (later, now.AddDays(5)), (sooner, now.AddDays(2)), (outside, now.AddDays(40)), (someoneElses, now.AddDays(3)) })
        {
            await Api.ScalarAsync<long>("UPDATE registrations SET assessment_at = @at WHERE id = @id RETURNING id", ("at", at), ("id", c.RegistrationId));
        }

        using var response = await asesor.Client.GetAsync(Range(now, now.AddDays(10)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var list = (await response.Content.ReadFromJsonAsync<MyAssessmentsDto>())!;
        var byDefault = (await asesor.Client.GetFromJsonAsync<MyAssessmentsDto>("api/v1/me/assessments"))!;

        Assert.Multiple(() =>
        {
            Assert.That(list.Items.Select(a => a.RegistrationId), Is.EqualTo(new[] { sooner.RegistrationId, later.RegistrationId }));
            var first = list.Items[0];
            Assert.That(first.CandidateName, Is.EqualTo(sooner.Asesi.FullName));
            Assert.That(first.AsesiId, Is.EqualTo(sooner.Asesi.Id));
            Assert.That(first.SchemeId, Is.EqualTo(sooner.Scheme.Id));
            Assert.That(first.SchemeName, Is.EqualTo(sooner.Scheme.Name));
            Assert.That(first.ScheduleId, Is.EqualTo(sooner.ScheduleId));
            Assert.That(first.PlaceName, Is.EqualTo("TUK Lab Informatika"));
            Assert.That(first.Status, Is.EqualTo(RegistrationStatus.Scheduled));
            Assert.That(list.Items.Select(a => a.RegistrationId), Does.Not.Contain(unscheduled.RegistrationId));
            // The default range is the next 31 days from now.
            Assert.That(byDefault.Items.Select(a => a.RegistrationId), Is.EqualTo(new[] { sooner.RegistrationId, later.RegistrationId }));
            Assert.That(byDefault.To - byDefault.From, Is.EqualTo(MyAssessmentsApi.DefaultSpan));
        });
    }

    [Test]
    public async Task The_assessment_list_is_for_asesors_only_and_refuses_a_bad_range()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var now = DateTimeOffset.UtcNow;

        await ProblemAssert.IsProblemAsync(await asesi.Client.GetAsync("api/v1/me/assessments"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync("api/v1/me/assessments"), HttpStatusCode.Forbidden);
        await ProblemAssert.NamesFieldAsync(await asesor.Client.GetAsync(Range(now, now.AddDays(-1))), HttpStatusCode.BadRequest, "to");
        await ProblemAssert.NamesFieldAsync(await asesor.Client.GetAsync(Range(now, now)), HttpStatusCode.BadRequest, "to");
        await ProblemAssert.NamesFieldAsync(await asesor.Client.GetAsync(Range(now, now.AddDays(93))), HttpStatusCode.BadRequest, "to");
        await ProblemAssert.NamesFieldAsync(await asesor.Client.GetAsync("api/v1/me/assessments?from=tomorrow"), HttpStatusCode.BadRequest, "from");
    }
}
