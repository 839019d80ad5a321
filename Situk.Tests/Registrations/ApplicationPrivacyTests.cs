using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Registrations;

[Description("APL-01 holds identity number, birth date and address. By default an asesor sees only the registrations assigned to them "
    + "(list and detail; others are 404), verifying is an admin's job (asesors 403), and no other route hands an asesor a candidate "
    + "they were not assigned.")]
public sealed class ApplicationPrivacyTests : ApiTests
{
    private static async Task<long[]> ListedAsync(HttpClient client, string query = "limit=200") =>
        (await client.GetFromJsonAsync<RegistrationPage>($"api/v1/registrations?{query}"))!.Items.Select(r => r.Id).ToArray();

    [Test]
    [Description("The old rule showed every asesor every unassigned submitted registration, APL-01 included.")]
    public async Task An_asesor_sees_only_the_registrations_assigned_to_them()
    {
        var waiting = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var verified = await Scenario.CaseAtAsync(RegistrationStatus.Verified);
        var mine = await Scenario.CaseAtAsync(RegistrationStatus.Assigned);
        var asesor = mine.Asesor.Client;

        Assert.Multiple(async () =>
        {
            Assert.That(await ListedAsync(asesor), Is.EqualTo(new[] { mine.RegistrationId }));
            Assert.That(await ListedAsync(asesor, "status=submitted"), Is.Empty);
            Assert.That(await ListedAsync(asesor, $"q={Uri.EscapeDataString(waiting.Asesi.FullName)}"), Is.Empty);
            Assert.That(await ListedAsync(waiting.Asesor.Client), Is.Empty, "an asesor with nothing assigned sees nothing");
        });
        await ProblemAssert.IsProblemAsync(await asesor.GetAsync(waiting.Path), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await asesor.GetAsync(verified.Path), HttpStatusCode.NotFound);
        var detail = await asesor.GetFromJsonAsync<JsonElement>(mine.Path);
        Assert.That(detail.GetProperty("apl01").GetProperty("identityNumber").GetString(), Is.EqualTo("3578012345678901"));
    }

    [Test]
    public async Task An_asesor_verifying_is_403_by_default_and_changes_nothing()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        var before = await Api.CountRowsAsync();

        foreach (var approved in new[] { true, false })
        {
            await ProblemAssert.IsProblemAsync(
                await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved, note = "x" }), HttpStatusCode.Forbidden);
        }

        // Even with a body that would be 400, the role gate answers first.
        await ProblemAssert.IsProblemAsync(await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verification", new { }), HttpStatusCode.Forbidden);
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before));
        Assert.That(await Api.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", c.RegistrationId)), Is.EqualTo(RegistrationStatus.Submitted));
    }

    [Test]
    public async Task An_admin_verifies_by_default()
    {
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Submitted);
        using var response = await Api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    [Description("The other doors to registration data: the inbox (registration.submitted goes to admins and the asesi only), a "
        + "notification's timeline and full text, an asesor's assessment list, and the admin dashboard routes.")]
    public async Task No_other_route_shows_an_asesor_an_unassigned_candidate()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        var c = await Scenario.CaseAtAsync(RegistrationStatus.Verified, asesor: asesor);
        var adminNotice = await Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @admin AND kind = @kind AND data->>'registrationId' = @id",
            ("admin", Api.Admin.Id), ("kind", NotificationKinds.RegistrationSubmitted), ("id", c.RegistrationId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var asesiNotice = await Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @asesi AND kind = @kind", ("asesi", c.Asesi.Id), ("kind", NotificationKinds.RegistrationSubmitted));
        var client = asesor.Client;

        var inbox = await client.GetFromJsonAsync<JsonElement>("api/v1/me/notifications?limit=200");
        Assert.That(inbox.GetProperty("items").GetArrayLength(), Is.Zero);
        foreach (var id in new[] { adminNotice, asesiNotice })
        {
            await ProblemAssert.IsProblemAsync(await client.GetAsync($"api/v1/me/notifications/{id}"), HttpStatusCode.NotFound);
            await ProblemAssert.IsProblemAsync(await client.GetAsync($"api/v1/notifications/{id}/timeline"), HttpStatusCode.NotFound);
        }

        var assessments = await client.GetFromJsonAsync<MyAssessmentsDto>("api/v1/me/assessments");
        Assert.That(assessments!.Items, Is.Empty);
        foreach (var route in new[] { "api/v1/admin/notifications/recent", "api/v1/admin/delivery-stats" })
        {
            await ProblemAssert.IsProblemAsync(await client.GetAsync(route), HttpStatusCode.Forbidden);
        }

        // Another asesi sees none of it either.
        var stranger = await Api.CreateUserAsync(Roles.Asesi);
        await ProblemAssert.IsProblemAsync(await stranger.Client.GetAsync($"api/v1/notifications/{asesiNotice}/timeline"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await stranger.Client.GetAsync(c.Path), HttpStatusCode.NotFound);
    }
}
