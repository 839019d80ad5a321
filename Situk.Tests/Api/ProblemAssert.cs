using System.Net;
using System.Text.Json;

namespace Situk.Tests.Api;

/// <summary>Checks an RFC 7807 answer: status, content type, and what it names.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status), text);
        return problem;
    }

    /// <summary>A problem whose <c>errors</c> names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> NamesFieldAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var problem = await IsProblemAsync(response, status);
        Assert.That(problem.TryGetProperty("errors", out var errors), Is.True, problem.ToString());
        var fields = errors.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(fields, Has.Some.EqualTo(field), problem.ToString());
        return problem;
    }

    /// <summary>A 409 whose detail names the registration's current status.</summary>
    public static async Task WrongStateAsync(HttpResponseMessage response, string currentStatus)
    {
        var problem = await IsProblemAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"'{currentStatus}'"));
    }
}
