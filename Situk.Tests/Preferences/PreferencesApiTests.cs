using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Preferences;

[Description("GET/PUT /me/preferences: push and email per group of kinds, for the caller only; bad input is 400 naming the field, mandatory email 422 naming the kind, and neither stores anything.")]
public sealed class PreferencesApiTests : ApiTests
{
    [Test]
    public async Task Every_group_starts_on_and_the_mandatory_ones_name_the_kind_that_locks_their_email()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        var groups = await GroupsAsync(asesi);

        Assert.Multiple(() =>
        {
            Assert.That(groups.Select(g => g.GetProperty("group").GetString()), Is.EqualTo(NotificationGroups.All.Select(g => g.Name)));
            Assert.That(groups.All(g => g.GetProperty("push").GetBoolean() && g.GetProperty("email").GetBoolean()), Is.True);
            Assert.That(Group(groups, "verdict").GetProperty("emailLockedBy").GetString(), Is.EqualTo(NotificationKinds.VerdictCompetent));
            Assert.That(Group(groups, "received").GetProperty("emailLockedBy").GetString(), Is.EqualTo(NotificationKinds.RegistrationSubmitted));
            Assert.That(Group(groups, "schedule").GetProperty("emailLockedBy").GetString(), Is.EqualTo(NotificationKinds.AssessmentScheduled));
            Assert.That(Group(groups, "certificate").GetProperty("emailLockedBy").GetString(), Is.EqualTo(NotificationKinds.CertificateIssued));
            Assert.That(Group(groups, "registration").GetProperty("emailLockedBy").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(Group(groups, "registration").GetProperty("kinds").EnumerateArray().Select(k => k.GetString()),
                Does.Contain(NotificationKinds.RegistrationVerified));
        });
    }

    [Test]
    public async Task Put_changes_only_the_groups_it_lists_and_answers_with_every_group()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        using var response = await PutAsync(asesi, """{"groups":[{"group":"preparation","push":false,"email":true},{"group":"verdict","push":false,"email":true}]}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var answer = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("groups").EnumerateArray().ToList();
        var stored = await GroupsAsync(asesi);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Count, Is.EqualTo(NotificationGroups.All.Count));
            Assert.That(Group(stored, "preparation").GetProperty("push").GetBoolean(), Is.False);
            Assert.That(Group(stored, "verdict").GetProperty("push").GetBoolean(), Is.False, "push of a mandatory group may go off");
            Assert.That(Group(stored, "registration").GetProperty("push").GetBoolean(), Is.True);
            Assert.That(answer.Select(g => g.ToString()), Is.EqualTo(stored.Select(g => g.ToString())));
        });
    }

    [TestCase("received", NotificationKinds.RegistrationSubmitted)]
    [TestCase("schedule", NotificationKinds.AssessmentScheduled)]
    [TestCase("verdict", NotificationKinds.VerdictCompetent)]
    [TestCase("certificate", NotificationKinds.CertificateIssued)]
    public async Task Switching_off_a_mandatory_email_is_422_naming_the_kind_and_stores_nothing(string group, string kind)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        using var refused = await PutAsync(asesi, $$"""{"groups":[{"group":"messages","push":false,"email":false},{"group":"{{group}}","push":true,"email":false}]}""");

        var problem = await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.UnprocessableEntity, "groups[1].email");
        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("kind").GetString(), Is.EqualTo(kind));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(kind));
            Assert.That(await StoredRowsAsync(asesi.Id), Is.Zero, "not even the valid group before it");
        });
    }

    [TestCase("""{"groups":[{"group":"nope","push":true,"email":true}]}""", "groups[0].group")]
    [TestCase("""{"groups":[{"push":true,"email":true}]}""", "groups[0].group")]
    [TestCase("""{"groups":[{"group":7,"push":true,"email":true}]}""", "groups[0].group")]
    [TestCase("""{"groups":[{"group":"messages","email":true}]}""", "groups[0].push")]
    [TestCase("""{"groups":[{"group":"messages","push":true}]}""", "groups[0].email")]
    [TestCase("""{"groups":[{"group":"messages","push":"false","email":true}]}""", "groups[0].push")]
    [TestCase("""{"groups":[{"group":"messages","push":true,"email":null}]}""", "groups[0].email")]
    [TestCase("""{"groups":[{"group":"messages","push":true,"email":true},{"group":"messages","push":false,"email":false}]}""", "groups[1].group")]
    [TestCase("""{"groups":[]}""", "groups")]
    [TestCase("""{"groups":{"group":"messages"}}""", "groups")]
    [TestCase("""{}""", "groups")]
    [TestCase("""[1,2]""", "body")]
    [TestCase("""{"groups":["messages"]}""", "groups[0]")]
    [TestCase("""{"groups":[{"group":"messages","push":true,"email":true}""", "body")]
    public async Task Bad_input_is_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);

        using var refused = await PutAsync(asesi, body);

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, field);
        Assert.That(await StoredRowsAsync(asesi.Id), Is.Zero);
    }

    [Test]
    public async Task An_oversized_body_is_413_naming_the_body_and_stores_nothing()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        var padding = new string('x', 20_000);

        using var refused = await PutAsync(asesi, $$"""{"groups":[{"group":"messages","push":false,"email":false}],"pad":"{{padding}}"}""");

        await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.That(await StoredRowsAsync(asesi.Id), Is.Zero);
    }

    [Test]
    public async Task A_person_reaches_only_their_own_preferences()
    {
        var a = await Api.CreateUserAsync(Roles.Asesi);
        var b = await Api.CreateUserAsync(Roles.Asesor);

        using var changed = await PutAsync(a, """{"groups":[{"group":"messages","push":false,"email":false}]}""");
        using var anonymous = await Api.CreateClient().GetAsync("api/v1/me/preferences");
        using var byId = await b.Client.GetAsync($"api/v1/users/{a.Id}/preferences");

        Assert.Multiple(async () =>
        {
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Group(await GroupsAsync(b), "messages").GetProperty("push").GetBoolean(), Is.True, "b sees b's own");
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(byId.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no route names another user's preferences");
        });
    }

    private static JsonElement Group(IEnumerable<JsonElement> groups, string name) => groups.Single(g => g.GetProperty("group").GetString() == name);

    private static async Task<List<JsonElement>> GroupsAsync(TestUser user) =>
        (await user.Client.GetFromJsonAsync<JsonElement>("api/v1/me/preferences")).GetProperty("groups").EnumerateArray().ToList();

    private static Task<HttpResponseMessage> PutAsync(TestUser user, string json) =>
        user.Client.PutAsync("api/v1/me/preferences", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<long> StoredRowsAsync(long userId) =>
        Api.ScalarAsync<long>("SELECT count(*) FROM notification_preferences WHERE user_id = @id", ("id", userId));
}
