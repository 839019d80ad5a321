using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Situk.Api.Registrations;
using Situk.Api.Schemes;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

/// <summary>A registration somewhere along its way, with the people and catalogue around it.</summary>
public sealed record Case(long RegistrationId, TestUser Asesi, TestUser Asesor, SchemeDto Scheme, long ScheduleId)
{
    public IReadOnlyList<long> CriterionIds => Scheme.Units.SelectMany(u => u.Elements).SelectMany(e => e.Criteria).Select(c => c.Id).ToList();

    public string Path => $"api/v1/registrations/{RegistrationId}";
}

/// <summary>Builds catalogue and registrations through the real routes, and walks registrations along the state machine.</summary>
public sealed class Scenario(ApiFixture api)
{
    private static int _codes;

    public ApiFixture Api => api;

    public static object Apl01(string name = "Ni Luh Putu Asesi") => new
    {
        fullName = name,
        identityNumber = "3578012345678901",
        birthDate = "2001-04-17",
        birthPlace = "Surabaya",
        address = "Jl. Raya Rungkut Madya, Surabaya",
        education = "S1 Informatika",
        institution = "UPN Veteran Jawa Timur",
        purpose = "Sertifikasi",
        evidence = new[] { new { name = "KTM", reference = "https://files.example/ktm.pdf" } },
    };

    public async Task<SchemeDto> CreateSchemeAsync(int units = 2, int criteriaPerElement = 2)
    {
        var code = $"SKM-{Interlocked.Increment(ref _codes)}-{Guid.NewGuid().ToString("N")[..4]}";
        var body = new
        {
            code,
            name = $"Junior Web Developer {code}",
            units = Enumerable.Range(1, units).Select(u => new
            {
                code = $"J.620100.{u:000}.01",
                title = $"Unit {u}",
                elements = new[]
                {
                    new { title = $"Element {u}.1", criteria = Enumerable.Range(1, criteriaPerElement).Select(k => new { text = $"Criterion {u}.1.{k}" }).ToArray() },
                },
            }).ToArray(),
        };
        var response = await api.Admin.Client.PostAsJsonAsync("api/v1/schemes", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SchemeDto>())!;
    }

    public async Task<long> CreatePlaceAsync()
    {
        var response = await api.Admin.Client.PostAsJsonAsync("api/v1/places", new { name = "TUK Lab Informatika", address = "Gedung Giri Santika, Surabaya" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>A schedule open from an hour ago for a day, unless told otherwise.</summary>
    public async Task<long> CreateScheduleAsync(long schemeId, int quota = 10, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null)
    {
        var place = await CreatePlaceAsync();
        var now = DateTimeOffset.UtcNow;
        var response = await api.Admin.Client.PostAsJsonAsync("api/v1/schedules", new
        {
            schemeId,
            placeId = place,
            opensAt = opensAt ?? now.AddHours(-1),
            closesAt = closesAt ?? now.AddDays(1),
            quota,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public static Task<HttpResponseMessage> RegisterAsync(TestUser asesi, long scheduleId) =>
        asesi.Client.PostAsJsonAsync("api/v1/registrations", new { scheduleId, apl01 = Apl01(asesi.FullName) });

    /// <summary>
    /// A fresh registration (own scheme and schedule; its own asesi and asesor unless given) walked to
    /// <paramref name="status"/>. A <c>scheduled</c> one is scheduled three days ahead and then, unless
    /// <paramref name="assessmentDue"/> is false, brought to its assessment day (<see cref="AssessmentDayAsync"/>)
    /// so records and the verdict are accepted.
    /// </summary>
    public async Task<Case> CaseAtAsync(string status, bool apl02AllCompetent = true, TestUser? asesi = null, TestUser? asesor = null, bool assessmentDue = true)
    {
        var scheme = await CreateSchemeAsync();
        var schedule = await CreateScheduleAsync(scheme.Id);
        asesi ??= await api.CreateUserAsync(Roles.Asesi);
        asesor ??= await api.CreateUserAsync(Roles.Asesor);
        var created = await RegisterAsync(asesi, schedule);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<RegistrationStatusDto>())!.Id;
        var c = new Case(id, asesi, asesor, scheme, schedule);

        string[] path = status == RegistrationStatus.Rejected
            ? [RegistrationStatus.Rejected]
            : [RegistrationStatus.Verified, RegistrationStatus.Assigned, RegistrationStatus.Apl02Submitted, RegistrationStatus.Eligible, RegistrationStatus.Scheduled];
        if (status == RegistrationStatus.Submitted)
        {
            return c;
        }

        foreach (var next in path)
        {
            await StepAsync(c, next, apl02AllCompetent);
            if (next == status)
            {
                if (next == RegistrationStatus.Scheduled && assessmentDue)
                {
                    await AssessmentDayAsync(c);
                }

                return c;
            }
        }

        throw new ArgumentException($"CaseAtAsync cannot reach '{status}'; use the verdict route.", nameof(status));
    }

    /// <summary>
    /// Lets the days up to the assessment pass: the route only takes future dates, so the stored date is
    /// moved a minute into the past, as it would be once the day came.
    /// </summary>
    public async Task AssessmentDayAsync(Case c)
    {
        var moved = await api.ScalarAsync<long>(
            "WITH m AS (UPDATE registrations SET assessment_at = now() - interval '1 minute' WHERE id = @id AND status = 'scheduled' RETURNING 1) SELECT count(*) FROM m",
            ("id", c.RegistrationId));
        Assert.That(moved, Is.EqualTo(1), "only a scheduled registration has an assessment day");
    }

    /// <summary>Records for every criterion (all competent unless <paramref name="notCompetent"/> names some).</summary>
    public static object Records(Case c, params long[] notCompetent) => new
    {
        observation = c.CriterionIds.Select(id => new { criterionId = id, competent = !notCompetent.Contains(id), note = "Observed at the workstation." }).ToArray(),
        portfolio = c.CriterionIds.Select(id => new { criterionId = id, competent = !notCompetent.Contains(id) }).ToArray(),
        notes = "Assessment went to plan.",
    };

    public static object Apl02(Case c, bool allCompetent = true) => new
    {
        answers = c.CriterionIds.Select((id, i) => new { criterionId = id, competent = allCompetent || i > 0, evidence = "Project portfolio" }).ToArray(),
    };

    private async Task StepAsync(Case c, string next, bool apl02AllCompetent)
    {
        var response = next switch
        {
            RegistrationStatus.Verified => await api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = true }),
            RegistrationStatus.Rejected => await api.Admin.Client.PostAsJsonAsync($"{c.Path}/verification", new { approved = false, note = "Blurry KTM scan." }),
            RegistrationStatus.Assigned => await api.Admin.Client.PostAsJsonAsync($"{c.Path}/assignment", new { asesorId = c.Asesor.Id }),
            RegistrationStatus.Apl02Submitted => await c.Asesi.Client.PutAsJsonAsync($"{c.Path}/apl02", Apl02(c, apl02AllCompetent)),
            RegistrationStatus.Eligible => await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/apl02/review", new { }),
            RegistrationStatus.Scheduled => await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = DateTimeOffset.UtcNow.AddDays(3) }),
            _ => throw new ArgumentOutOfRangeException(nameof(next)),
        };
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{next}: {await response.Content.ReadAsStringAsync()}");
    }
}
