using System.Net;
using System.Net.Http.Json;
using Situk.Api.Schedules;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("GET /schedules pages by cursor like GET /registrations: {items, next}, ordered by opensAt then id, limit 1–200 "
    + "(default 50), the filters kept; a cursor not from a previous page is 400 naming after.")]
public sealed class SchedulePagingTests : ApiTests
{
    private async Task<SchedulePage> PageAsync(string query)
    {
        using var response = await Api.Admin.Client.GetAsync($"api/v1/schedules?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SchedulePage>())!;
    }

    [Test]
    [Description("Seven schedules, three opening at the same instant (the id breaks the tie), read three at a time: every one once, in order.")]
    public async Task Paging_walks_every_schedule_once_in_opening_order()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.Date, TimeSpan.Zero).AddDays(-3).AddTicks(1234560);
        var opens = new[] { 5, 1, 1, 1, 3, 0, 2 }.Select(h => start.AddHours(h)).ToArray();
        var created = new List<(DateTimeOffset Opens, long Id)>();
        foreach (var at in opens)
        {
            created.Add((at, await Scenario.CreateScheduleAsync(scheme.Id, opensAt: at, closesAt: at.AddDays(10))));
        }

        var expected = created.OrderBy(c => c.Opens).ThenBy(c => c.Id).Select(c => c.Id).ToArray();
        var seen = new List<long>();
        var sizes = new List<int>();
        string? after = null;
        do
        {
            var page = await PageAsync($"schemeId={scheme.Id}&limit=3" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}"));
            sizes.Add(page.Items.Length);
            seen.AddRange(page.Items.Select(s => s.Id));
            after = page.Next;
        }
        while (after is not null && sizes.Count < 10);

        Assert.Multiple(() =>
        {
            Assert.That(sizes, Is.EqualTo(new[] { 3, 3, 1 }));
            Assert.That(seen, Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task The_default_page_is_fifty_and_the_filters_hold_across_pages()
    {
        var scheme = await Scenario.CreateSchemeAsync(units: 1, criteriaPerElement: 1);
        var place = await Scenario.CreatePlaceAsync();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<long>();
        for (var i = 0; i < 55; i++)
        {
            using var response = await Api.Admin.Client.PostAsJsonAsync("api/v1/schedules", new
            {
                schemeId = scheme.Id, placeId = place, opensAt = now.AddMinutes(-i), closesAt = now.AddDays(1), quota = 5,
            });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            ids.Add((await response.Content.ReadFromJsonAsync<ScheduleDto>())!.Id);
        }

        var closedOne = await Scenario.CreateScheduleAsync(scheme.Id, opensAt: now.AddDays(-9), closesAt: now.AddDays(-8));
        var first = await PageAsync($"schemeId={scheme.Id}&openNow=true");
        var second = await PageAsync($"schemeId={scheme.Id}&openNow=true&after={Uri.EscapeDataString(first.Next!)}");

        Assert.Multiple(() =>
        {
            Assert.That(first.Items, Has.Length.EqualTo(SchedulesApi.DefaultListLimit));
            Assert.That(second.Items, Has.Length.EqualTo(5));
            Assert.That(second.Next, Is.Null);
            Assert.That(first.Items.Concat(second.Items).Select(s => s.Id), Is.EquivalentTo(ids).And.Unique);
            Assert.That(first.Items.Concat(second.Items).Select(s => s.Id), Does.Not.Contain(closedOne));
        });
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("after=17", "after")]
    [TestCase("after=2026-06-01T00:00:00.000000Z_", "after")]
    [TestCase("after=2026-06-01T00:00:00.000000Z_-4", "after")]
    [TestCase("after=2026-13-01T00:00:00.000000Z_4", "after")]
    [TestCase("after=%27%20OR%201%3D1--_4", "after")]
    public async Task A_bad_page_parameter_is_400_naming_it(string query, string field)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.NamesFieldAsync(await asesi.Client.GetAsync($"api/v1/schedules?{query}"), HttpStatusCode.BadRequest, field);
    }
}
