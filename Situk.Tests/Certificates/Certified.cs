using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Api.Registrations;
using Situk.Api.Schemes;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Certificates;

/// <summary>A registration declared competent, and the number of the certificate it was issued.</summary>
public sealed record Certified(Case Case, string Number)
{
    /// <summary>The number as one path segment: <c>JWD%2F2026%2F00001</c>.</summary>
    public string Segment => Uri.EscapeDataString(Number);

    public string Path => $"api/v1/certificates/{Segment}";
}

/// <summary>Walks registrations to a verdict through the real routes, and reads what it stored.</summary>
public static class CertificateSteps
{
    /// <summary>A fresh registration (own scheme, asesi and asesor) declared competent.</summary>
    public static async Task<Certified> CertifiedAsync(this Scenario scenario)
    {
        var c = await scenario.CaseAtAsync(RegistrationStatus.Scheduled);
        await DeclareAsync(c, competent: true);
        return new Certified(c, await NumberOfAsync(scenario.Api, c.RegistrationId));
    }

    /// <summary>A new asesi registered on <paramref name="scheduleId"/> of <paramref name="scheme"/>, walked to the assessment day.</summary>
    public static async Task<Case> ScheduledOnAsync(this Scenario scenario, SchemeDto scheme, long scheduleId)
    {
        var api = scenario.Api;
        var asesi = await api.CreateUserAsync(Roles.Asesi);
        var asesor = await api.CreateUserAsync(Roles.Asesor);
        var created = await Scenario.RegisterAsync(asesi, scheduleId);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var c = new Case((await created.Content.ReadFromJsonAsync<RegistrationStatusDto>())!.Id, asesi, asesor, scheme, scheduleId);
        await OkAsync(api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }));
        await OkAsync(api.Admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = asesor.Id }));
        await OkAsync(asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", Scenario.Apl02(c)));
        await OkAsync(asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }));
        await OkAsync(asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(3) }));
        await scenario.AssessmentDayAsync(c);
        return c;
    }

    /// <summary>Records every criterion (competent unless <paramref name="competent"/> is false) and declares the verdict.</summary>
    public static async Task<HttpResponseMessage> DeclareAsync(Case c, bool competent, bool expectOk = true)
    {
        var notCompetent = competent ? [] : new[] { c.CriterionIds[0] };
        await OkAsync(c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c, notCompetent)));
        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent });
        if (expectOk)
        {
            Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verdict.Content.ReadAsStringAsync());
        }

        return verdict;
    }

    public static Task<string> NumberOfAsync(ApiFixture api, long registrationId) =>
        api.ScalarAsync<string>("SELECT number FROM certificates WHERE registration_id = @id", ("id", registrationId));

    /// <summary>Every column of every certificate and sequence row, as text: what a refused request must leave as it was.</summary>
    public static Task<string> CertificateRowsAsync(ApiFixture api) =>
        api.ScalarAsync<string>(
            """
            SELECT coalesce((SELECT string_agg(c::text, '|' ORDER BY c.id) FROM certificates c), '-')
                || '#' || coalesce((SELECT string_agg(s::text, '|' ORDER BY s.scheme_id, s.year) FROM certificate_sequences s), '-')
            """);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task OkAsync(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
