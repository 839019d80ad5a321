#pragma warning disable ASP0029 // Microsoft.Extensions.Validation marks its resolver interface as open to change.
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Situk.Api.Errors;
using Situk.Api.Notifications;
using Situk.Tests.Api;

namespace Situk.Tests.Errors;

[Description("Request validation describes each type once, and judges every request by that description: a bad body "
    + "is refused the same way the tenth time as the first, a good one is accepted.")]
public sealed class ValidationInfoCacheTests : ApiTests
{
    [Test]
    public void Each_resolver_keeps_its_description_of_a_type()
    {
        var options = Api.App.Services.GetRequiredService<IOptions<ValidationOptions>>().Value;

        Assert.That(options.Resolvers, Is.Not.Empty.And.All.InstanceOf<ValidationInfoCache.Remembering>());
        Assert.That(options.TryGetValidatableTypeInfo(typeof(AdminMessageRequest), out var first), Is.True);
        Assert.That(options.TryGetValidatableTypeInfo(typeof(AdminMessageRequest), out var again), Is.True);
        Assert.That(again, Is.SameAs(first), "built once");
        Assert.That(options.TryGetValidatableTypeInfo(typeof(int), out _), Is.False, "a type with nothing to validate stays so");
        Assert.That(options.TryGetValidatableTypeInfo(typeof(int), out _), Is.False);
    }

    [Test]
    public async Task The_same_bad_body_is_refused_the_same_way_every_time_and_a_good_one_passes()
    {
        var to = await Api.CreateUserAsync(Situk.Contracts.Roles.Asesi);
        var before = await Api.CountRowsAsync();
        var errors = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            // A title over its 200 characters and no body at all: two fields, each named.
            using var refused = await Api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title = new string('x', 201) });
            var problem = await ProblemAssert.NamesFieldAsync(refused, HttpStatusCode.BadRequest, "title");
            errors.Add(problem.GetProperty("errors").GetRawText());
        }

        Assert.That(errors, Has.All.EqualTo(errors[0]));
        Assert.That(errors[0], Does.Contain("\"body\""));
        Assert.That(await Api.CountRowsAsync(), Is.EqualTo(before), "nothing stored for a refused body");

        using var accepted = await Api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title = "Jadwal uji", body = "Uji kompetensi dipindah ke Senin." });
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }
}
