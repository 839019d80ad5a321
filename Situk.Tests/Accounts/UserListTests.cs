using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("Admins list, search and read users a page at a time; nobody else can.")]
public sealed class UserListTests : ApiTests
{
    [Test]
    public async Task Pages_follow_the_cursor_in_id_order_until_next_is_null()
    {
        for (var i = 0; i < 5; i++)
        {
            await Api.CreateUserAsync(Roles.Asesor);
        }

        var seen = new List<long>();
        long? after = 0;
        var pages = 0;
        while (after is not null)
        {
            var page = await Api.Admin.Client.GetFromJsonAsync<JsonElement>($"api/v1/users?limit=2&after={after}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetInt64()));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetInt64();
            pages++;
        }

        var all = await Api.ScalarAsync<long>("SELECT count(*) FROM users");
        Assert.That(seen, Is.Ordered.And.Unique);
        Assert.That(seen, Has.Count.EqualTo(all));
        Assert.That(pages, Is.EqualTo((int)Math.Ceiling(all / 2.0)).Or.EqualTo((int)Math.Ceiling(all / 2.0) + 1));
    }

    [Test]
    public async Task Role_keeps_only_that_role()
    {
        await Api.CreateUserAsync(Roles.Asesor);
        await Api.CreateUserAsync(Roles.Asesi);

        var page = await Api.Admin.Client.GetFromJsonAsync<JsonElement>("api/v1/users?role=asesor&limit=200");

        var roles = page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("role").GetString()).ToList();
        Assert.That(roles, Is.Not.Empty.And.All.EqualTo(Roles.Asesor));
        Assert.That(roles, Has.Count.EqualTo(await Api.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'asesor'")));
    }

    [Test]
    public async Task Q_matches_part_of_the_name_or_the_email_in_any_case()
    {
        var byName = await Api.CreateUserAsync(Roles.Asesor, fullName: "I Gede Wiradarma");
        var byEmail = await Api.CreateUserAsync(Roles.Asesor, fullName: "Someone Else");
        await Api.CreateUserAsync(Roles.Asesor, fullName: "Komang Ayu");
        var emailPart = byEmail.Email.Split('@')[0].ToUpperInvariant();

        var names = await IdsAsync("api/v1/users?q=wiradar");
        var emails = await IdsAsync($"api/v1/users?q={emailPart}");

        Assert.That(names, Is.EqualTo(new[] { byName.Id }));
        Assert.That(emails, Is.EqualTo(new[] { byEmail.Id }));
    }

    [Test]
    public async Task Percent_and_underscore_in_q_match_only_themselves()
    {
        var literal = await Api.CreateUserAsync(Roles.Asesor, fullName: "Nama_dengan%tanda");
        await Api.CreateUserAsync(Roles.Asesor, fullName: "NamaXdenganYtanda");

        var found = await IdsAsync("api/v1/users?q=" + Uri.EscapeDataString("a_dengan%t"));
        var wildcard = await IdsAsync("api/v1/users?q=" + Uri.EscapeDataString("%"));

        Assert.That(found, Is.EqualTo(new[] { literal.Id }));
        Assert.That(wildcard, Is.EqualTo(new[] { literal.Id }), "a lone % is the character, not everything");
    }

    [Test]
    public async Task One_user_by_id_shows_the_same_fields_as_the_list_and_never_the_hash()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi, fullName: "Putu Candra");

        var one = await Api.Admin.Client.GetFromJsonAsync<JsonElement>($"api/v1/users/{asesi.Id}");

        Assert.Multiple(() =>
        {
            Assert.That(one.GetProperty("id").GetInt64(), Is.EqualTo(asesi.Id));
            Assert.That(one.GetProperty("email").GetString(), Is.EqualTo(asesi.Email));
            Assert.That(one.GetProperty("fullName").GetString(), Is.EqualTo("Putu Candra"));
            Assert.That(one.GetProperty("role").GetString(), Is.EqualTo(Roles.Asesi));
            Assert.That(one.GetProperty("emailVerified").GetBoolean(), Is.True);
            Assert.That(one.GetProperty("deactivatedAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(one.ToString(), Does.Not.Contain("AQAAAA"), "no Identity password hash anywhere in the answer");
        });
    }

    [Test]
    public async Task An_unknown_id_is_404()
    {
        using var response = await Api.Admin.Client.GetAsync("api/v1/users/9000000001");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("after=-1", "after")]
    [TestCase("role=superuser", "role")]
    [TestCase("q=%20%20", "q")]
    public async Task A_bad_parameter_is_400_naming_it(string query, string field)
    {
        using var response = await Api.Admin.Client.GetAsync("api/v1/users?" + query);

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task Asesi_and_asesor_are_refused_the_list_and_a_user_with_403()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var asesor = await Api.CreateUserAsync(Roles.Asesor);

        foreach (var caller in new[] { asesi, asesor })
        {
            using var list = await caller.Client.GetAsync("api/v1/users");
            using var one = await caller.Client.GetAsync($"api/v1/users/{caller.Id}");
            await ProblemAssert.IsProblemAsync(list, HttpStatusCode.Forbidden);
            await ProblemAssert.IsProblemAsync(one, HttpStatusCode.Forbidden);
        }
    }

    private async Task<long[]> IdsAsync(string path)
    {
        var page = await Api.Admin.Client.GetFromJsonAsync<JsonElement>(path);
        return page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetInt64()).ToArray();
    }
}
