using System.Net;
using System.Net.Http.Json;
using Situk.Api.Places;
using Situk.Api.Schedules;
using Situk.Api.Schemes;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Requirements 2, 12 and 13: schedules, schemes with their tree, and test places (TUK).")]
public sealed class CatalogueTests : ApiTests
{
    [Test]
    public async Task A_scheme_is_created_with_every_id_and_read_back_in_order()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 3, criteriaPerElement: 2);
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        var read = (await asesi.Client.GetFromJsonAsync<SchemeDto>($"api/v1/schemes/{scheme.Id}"))!;
        var list = (await asesi.Client.GetFromJsonAsync<SchemeSummaryDto[]>("api/v1/schemes"))!;

        Assert.That(read.Units.Select(u => u.Title), Is.EqualTo(new[] { "Unit 1", "Unit 2", "Unit 3" }));
        Assert.That(read.Units.SelectMany(u => u.Elements).SelectMany(e => e.Criteria).Select(k => k.Id), Is.EqualTo(new Case(0, null!, null!, scheme, 0).CriterionIds));
        Assert.That(list.Single(s => s.Id == scheme.Id).CriteriaCount, Is.EqualTo(6));
    }

    [Test]
    public async Task A_duplicate_scheme_code_is_409_and_a_duplicate_unit_code_is_400()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var unit = new { code = "U1", title = "T", elements = new[] { new { title = "E", criteria = new[] { new { text = "K" } } } } };

        var sameCode = await Api.Admin.Client.PostAsJsonAsync("api/v1/schemes", new { code = scheme.Code.ToLowerInvariant(), name = "Other", units = new[] { unit } });
        var twoUnits = await Api.Admin.Client.PostAsJsonAsync("api/v1/schemes", new { code = "NEW-" + Guid.NewGuid().ToString("N")[..6], name = "Other", units = new[] { unit, unit } });
        var noUnits = await Api.Admin.Client.PostAsJsonAsync("api/v1/schemes", new { code = "EMPTY", name = "Other", units = Array.Empty<object>() });

        await ProblemAssert.IsProblemAsync(sameCode, HttpStatusCode.Conflict);
        await ProblemAssert.NamesFieldAsync(twoUnits, HttpStatusCode.BadRequest, "units[1].code");
        await ProblemAssert.NamesFieldAsync(noUnits, HttpStatusCode.BadRequest, "units");
    }

    [Test]
    public async Task A_scheme_can_be_replaced_until_someone_registers_for_it()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var body = new { code = scheme.Code, name = "Renamed", units = new[] { new { code = "U9", title = "Only unit", elements = new[] { new { title = "E", criteria = new[] { new { text = "K1" } } } } } } };

        var replaced = await Api.Admin.Client.PutAsJsonAsync($"api/v1/schemes/{scheme.Id}", body);
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await replaced.Content.ReadFromJsonAsync<SchemeDto>())!.Units.Single().Code, Is.EqualTo("U9"));

        var schedule = await Scenario.CreateScheduleAsync(scheme.Id);
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        Assert.That((await Scenario.RegisterAsync(asesi, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PutAsJsonAsync($"api/v1/schemes/{scheme.Id}", body), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.DeleteAsync($"api/v1/schemes/{scheme.Id}"), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.PutAsJsonAsync("api/v1/schemes/987654", body), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_unused_scheme_can_be_deleted()
    {
        var scheme = await Scenario.CreateSchemeAsync();

        Assert.That((await Api.Admin.Client.DeleteAsync($"api/v1/schemes/{scheme.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.GetAsync($"api/v1/schemes/{scheme.Id}"), HttpStatusCode.NotFound);
        Assert.That(await Api.ScalarAsync<long>("SELECT count(*) FROM scheme_units WHERE scheme_id = @id", ("id", scheme.Id)), Is.Zero);
    }

    [Test]
    public async Task Places_are_created_listed_updated_and_deleted_by_admins()
    {
        var created = await Api.Admin.Client.PostAsJsonAsync("api/v1/places", new { name = "TUK Sewaktu", address = "Jl. Rungkut" });
        var place = (await created.Content.ReadFromJsonAsync<PlaceDto>())!;
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        var updated = await Api.Admin.Client.PutAsJsonAsync($"api/v1/places/{place.Id}", new { name = "TUK Tempat Kerja", address = "Jl. Rungkut 2" });
        var listed = (await asesi.Client.GetFromJsonAsync<PlaceDto[]>("api/v1/places"))!;

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await updated.Content.ReadFromJsonAsync<PlaceDto>())!.Name, Is.EqualTo("TUK Tempat Kerja"));
        Assert.That(listed.Select(p => p.Id), Does.Contain(place.Id));
        await ProblemAssert.IsProblemAsync(await asesi.Client.DeleteAsync($"api/v1/places/{place.Id}"), HttpStatusCode.Forbidden);
        Assert.That((await Api.Admin.Client.DeleteAsync($"api/v1/places/{place.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ProblemAssert.IsProblemAsync(await Api.Admin.Client.DeleteAsync($"api/v1/places/{place.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_schedule_names_an_existing_scheme_and_place_and_counts_its_seats()
    {
        var scheme = await Scenario.CreateSchemeAsync();
        var unknown = await Api.Admin.Client.PostAsJsonAsync("api/v1/schedules", new
        {
            schemeId = scheme.Id, placeId = 987_654, opensAt = DateTimeOffset.UtcNow, closesAt = DateTimeOffset.UtcNow.AddDays(1), quota = 3,
        });
        await ProblemAssert.NamesFieldAsync(unknown, HttpStatusCode.UnprocessableEntity, "placeId");

        var id = await Scenario.CreateScheduleAsync(scheme.Id, quota: 3);
        await Scenario.RegisterAsync(await Api.CreateUserAsync(Roles.Asesi), id);
        var schedules = (await Api.Admin.Client.GetFromJsonAsync<SchedulePage>($"api/v1/schedules?schemeId={scheme.Id}"))!.Items;

        Assert.That(schedules.Single().Registered, Is.EqualTo(1));
        Assert.That(schedules.Single().Quota, Is.EqualTo(3));
    }
}
