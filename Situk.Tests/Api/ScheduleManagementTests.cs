using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Api.Registrations;
using Situk.Api.Schedules;
using Situk.Contracts;
using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Requirement 2: admins change, close early and delete schedules; anyone signed in lists them with filters. "
    + "The API runs on a fake clock, so 'now' in the answers is exactly the test's.")]
public sealed class ScheduleManagementTests
{
    private FakeTimeProvider _time = null!;
    private ApiFixture _api = null!;
    private Scenario _scenario = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // Whole seconds: PostgreSQL keeps microseconds, so a time read back equals the clock's only without ticks.
        var now = DateTimeOffset.UtcNow;
        _time = new FakeTimeProvider(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        _api = await ApiFixture.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(_time));
        _scenario = new Scenario(_api);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private HttpClient Admin => _api.Admin.Client;

    private async Task<ScheduleDto> ReadAsync(long id) => (await Admin.GetFromJsonAsync<ScheduleDto>($"api/v1/schedules/{id}"))!;

    private static object Body(ScheduleDto s, long? schemeId = null, long? placeId = null, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null, int? quota = null) => new
    {
        schemeId = schemeId ?? s.SchemeId,
        placeId = placeId ?? s.PlaceId,
        opensAt = opensAt ?? s.OpensAt,
        closesAt = closesAt ?? s.ClosesAt,
        quota = quota ?? s.Quota,
    };

    /// <summary>A schedule of a fresh scheme with <paramref name="seats"/> asesi registered on it.</summary>
    private async Task<ScheduleDto> ScheduleWithAsync(int seats, int quota = 10)
    {
        var scheme = await _scenario.CreateSchemeAsync();
        var id = await _scenario.CreateScheduleAsync(scheme.Id, quota);
        for (var i = 0; i < seats; i++)
        {
            var asesi = await _api.CreateUserAsync(Roles.Asesi);
            Assert.That((await Scenario.RegisterAsync(asesi, id)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        return await ReadAsync(id);
    }

    [Test]
    public async Task An_admin_changes_every_field_of_a_schedule_nobody_registered_on()
    {
        var s = await ScheduleWithAsync(seats: 0);
        var otherScheme = await _scenario.CreateSchemeAsync();
        var otherPlace = await _scenario.CreatePlaceAsync();
        var opens = _time.GetUtcNow().AddDays(2);

        using var response = await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}",
            Body(s, otherScheme.Id, otherPlace, opens, opens.AddDays(5), 40));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var expected = new ScheduleDto(s.Id, otherScheme.Id, otherPlace, opens, opens.AddDays(5), 40, 0);
        Assert.That(await response.Content.ReadFromJsonAsync<ScheduleDto>(), Is.EqualTo(expected));
        Assert.That(await ReadAsync(s.Id), Is.EqualTo(expected));
    }

    [Test]
    public async Task With_registrations_the_quota_may_fall_to_the_seats_taken_and_the_place_and_window_may_change()
    {
        var s = await ScheduleWithAsync(seats: 2);
        var place = await _scenario.CreatePlaceAsync();

        using var response = await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, placeId: place, closesAt: s.ClosesAt.AddDays(1), quota: 2));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await ReadAsync(s.Id), Is.EqualTo(s with { PlaceId = place, ClosesAt = s.ClosesAt.AddDays(1), Quota = 2 }));
    }

    [Test]
    public async Task Every_refused_update_names_its_reason_and_changes_nothing()
    {
        var s = await ScheduleWithAsync(seats: 2);
        var otherScheme = await _scenario.CreateSchemeAsync();
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        var before = await DatabaseFingerprint.TakeAsync(_api);

        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, quota: 1)), HttpStatusCode.UnprocessableEntity, "quota");
        var schemeChange = await ProblemAssert.IsProblemAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, schemeId: otherScheme.Id)), HttpStatusCode.Conflict);
        Assert.That(schemeChange.GetProperty("detail").GetString(), Does.Contain("scheme"));
        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, closesAt: s.OpensAt)), HttpStatusCode.BadRequest, "closesAt");
        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, quota: 0)), HttpStatusCode.BadRequest, "quota");
        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", new { s.SchemeId, s.PlaceId, s.ClosesAt, s.Quota }), HttpStatusCode.BadRequest, "opensAt");
        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, placeId: 987654321)), HttpStatusCode.UnprocessableEntity, "placeId");
        await ProblemAssert.NamesFieldAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, quota: 3, placeId: 987654321)), HttpStatusCode.UnprocessableEntity, "placeId");
        await ProblemAssert.IsProblemAsync(await Admin.PutAsJsonAsync("api/v1/schedules/987654321", Body(s)), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await asesor.Client.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, quota: 50)), HttpStatusCode.Forbidden);

        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "refused schedule updates");
        Assert.That(await ReadAsync(s.Id), Is.EqualTo(s));
    }

    [Test]
    public async Task A_rejected_registration_frees_its_seat_for_the_quota_but_still_pins_the_scheme()
    {
        var c = await _scenario.CaseAtAsync(RegistrationStatus.Rejected);
        var s = await ReadAsync(c.ScheduleId);
        var otherScheme = await _scenario.CreateSchemeAsync();
        Assert.That(s.Registered, Is.Zero);

        await ProblemAssert.IsProblemAsync(await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, schemeId: otherScheme.Id)), HttpStatusCode.Conflict);
        using var lower = await Admin.PutAsJsonAsync($"api/v1/schedules/{s.Id}", Body(s, quota: 1));
        Assert.That(lower.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Closing_early_ends_the_window_at_the_clock_and_later_registrations_get_the_outside_the_window_answer()
    {
        var s = await ScheduleWithAsync(seats: 1);
        var now = _time.GetUtcNow();

        using var closed = await Admin.PostAsync($"api/v1/schedules/{s.Id}/close", null);

        Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await closed.Content.ReadAsStringAsync());
        Assert.That((await closed.Content.ReadFromJsonAsync<ScheduleDto>())!.ClosesAt, Is.EqualTo(now));
        var late = await Scenario.RegisterAsync(await _api.CreateUserAsync(Roles.Asesi), s.Id);
        var problem = await ProblemAssert.IsProblemAsync(late, HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("closed now"));
        Assert.That((await ReadAsync(s.Id)).Registered, Is.EqualTo(1));

        // Closing again, later, keeps the first closing time. (Ten seconds: tokens are issued on this clock and
        // checked against the real one with 30 s of skew, so the fake clock must not run far ahead.)
        _time.Advance(TimeSpan.FromSeconds(10));
        using var again = await Admin.PostAsync($"api/v1/schedules/{s.Id}/close", null);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ReadAsync(s.Id)).ClosesAt, Is.EqualTo(now));
    }

    [Test]
    public async Task Closing_is_refused_for_an_unknown_a_not_yet_open_schedule_and_a_non_admin_and_changes_nothing()
    {
        var scheme = await _scenario.CreateSchemeAsync();
        var future = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: _time.GetUtcNow().AddDays(1), closesAt: _time.GetUtcNow().AddDays(2));
        var open = await _scenario.CreateScheduleAsync(scheme.Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var before = await DatabaseFingerprint.TakeAsync(_api);

        await ProblemAssert.IsProblemAsync(await Admin.PostAsync("api/v1/schedules/987654321/close", null), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Admin.PostAsync($"api/v1/schedules/{future}/close", null), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await asesi.Client.PostAsync($"api/v1/schedules/{open}/close", null), HttpStatusCode.Forbidden);

        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "refused closings");
    }

    [Test]
    public async Task A_schedule_without_registrations_is_deleted_and_one_with_them_is_409_pointing_at_close()
    {
        var empty = await ScheduleWithAsync(seats: 0);
        var taken = await ScheduleWithAsync(seats: 1);
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        var before = await DatabaseFingerprint.TakeAsync(_api);

        var conflict = await ProblemAssert.IsProblemAsync(await Admin.DeleteAsync($"api/v1/schedules/{taken.Id}"), HttpStatusCode.Conflict);
        Assert.That(conflict.GetProperty("detail").GetString(), Does.Contain("has registrations").And.Contain($"/api/v1/schedules/{taken.Id}/close"));
        await ProblemAssert.IsProblemAsync(await asesor.Client.DeleteAsync($"api/v1/schedules/{empty.Id}"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await Admin.DeleteAsync("api/v1/schedules/987654321"), HttpStatusCode.NotFound);
        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "refused deletions");

        using var deleted = await Admin.DeleteAsync($"api/v1/schedules/{empty.Id}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ProblemAssert.IsProblemAsync(await Admin.GetAsync($"api/v1/schedules/{empty.Id}"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await Admin.DeleteAsync($"api/v1/schedules/{empty.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Deleting_its_last_schedule_lets_the_place_and_scheme_go_too()
    {
        var s = await ScheduleWithAsync(seats: 0);
        await ProblemAssert.IsProblemAsync(await Admin.DeleteAsync($"api/v1/places/{s.PlaceId}"), HttpStatusCode.Conflict);

        Assert.That((await Admin.DeleteAsync($"api/v1/schedules/{s.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Admin.DeleteAsync($"api/v1/places/{s.PlaceId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Admin.DeleteAsync($"api/v1/schemes/{s.SchemeId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task Each_filter_keeps_only_its_schedules_ordered_by_opening_then_id()
    {
        var scheme = await _scenario.CreateSchemeAsync();
        var now = _time.GetUtcNow();
        var past = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddDays(-10), closesAt: now.AddDays(-5));
        var openLate = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddHours(-1), closesAt: now.AddDays(1));
        var openEarly = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddHours(-2), closesAt: now.AddDays(1));
        var openSame = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddHours(-1), closesAt: now.AddDays(2));
        var future = await _scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddDays(5), closesAt: now.AddDays(6));
        var other = await _scenario.CreateScheduleAsync((await _scenario.CreateSchemeAsync()).Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var onePlace = await ReadAsync(openLate);

        async Task<long[]> Ids(string query) =>
            (await asesi.Client.GetFromJsonAsync<SchedulePage>($"api/v1/schedules?limit=200&{query}"))!.Items.Select(s => s.Id).ToArray();
        static string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture));

        var all = await Ids($"schemeId={scheme.Id}");
        Assert.Multiple(async () =>
        {
            Assert.That(all, Is.EqualTo(new[] { past, openEarly, openLate, openSame, future }));
            Assert.That(await Ids($"placeId={onePlace.PlaceId}"), Is.EqualTo(new[] { openLate }));
            Assert.That(await Ids($"schemeId={scheme.Id}&openNow=true"), Is.EqualTo(new[] { openEarly, openLate, openSame }));
            Assert.That(await Ids($"schemeId={scheme.Id}&openNow=false"), Is.EqualTo(new[] { past, future }));
            Assert.That(await Ids($"schemeId={scheme.Id}&from={At(now.AddDays(1))}"), Is.EqualTo(new[] { openSame, future }));
            Assert.That(await Ids($"schemeId={scheme.Id}&to={At(now.AddHours(-1))}"), Is.EqualTo(new[] { past, openEarly }));
            Assert.That(await Ids($"schemeId={scheme.Id}&from={At(now.AddDays(-6))}&to={At(now.AddDays(-1))}"), Is.EqualTo(new[] { past }));
            Assert.That(await Ids($"placeId={onePlace.PlaceId}&schemeId={(await ReadAsync(other)).SchemeId}"), Is.Empty);
            Assert.That(await Ids(""), Is.SupersetOf(all.Append(other)));
        });
    }

    [Test]
    public async Task A_closed_early_schedule_leaves_the_open_now_list()
    {
        var s = await ScheduleWithAsync(seats: 0);
        async Task<bool> Listed() => (await Admin.GetFromJsonAsync<SchedulePage>($"api/v1/schedules?placeId={s.PlaceId}&openNow=true"))!.Items.Any(x => x.Id == s.Id);

        Assert.That(await Listed(), Is.True);
        Assert.That((await Admin.PostAsync($"api/v1/schedules/{s.Id}/close", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Listed(), Is.False);
    }

    [TestCase("schemeId=abc", "schemeId")]
    [TestCase("schemeId=0", "schemeId")]
    [TestCase("placeId=-3", "placeId")]
    [TestCase("placeId=1.5", "placeId")]
    [TestCase("openNow=maybe", "openNow")]
    [TestCase("from=yesterday", "from")]
    [TestCase("to=2026-13-01T00:00:00Z", "to")]
    [TestCase("from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z", "to")]
    [TestCase("from=2026-06-01T00:00:00Z&to=2026-06-01T00:00:00Z", "to")]
    public async Task A_bad_filter_is_400_naming_the_parameter(string query, string parameter)
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.NamesFieldAsync(await asesi.Client.GetAsync($"api/v1/schedules?{query}"), HttpStatusCode.BadRequest, parameter);
    }
}
