using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Hosting;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Sessions;

[Description("POST /auth/refresh is limited per client address (RefreshRequestsPerAddress per Window), sized so a whole lab behind one NAT refreshes together.")]
public sealed class RefreshRateLimitTests
{
    [Test]
    [Description("300 devices that signed in together refresh within the same minute from one address, with the production limit: every one gets its new pair.")]
    public async Task A_lab_of_300_behind_one_address_refreshes_together()
    {
        var defaults = new RateLimitOptions();
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:RateLimit:RefreshRequestsPerAddress"] = defaults.RefreshRequestsPerAddress.ToString(CultureInfo.InvariantCulture),
            // However slow this machine, all 300 fall in one window, as they do at a real site within the minute.
            ["Situk:RateLimit:Window"] = "00:10:00",
        });
        var tokens = await SignInsAsync(api, 300);

        var answers = await Task.WhenAll(tokens.Select(async token =>
        {
            using var client = new HttpClient { BaseAddress = api.BaseAddress };
            using var response = await client.PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken = token });
            return response.StatusCode;
        }));

        Assert.That(answers.Count(s => s == HttpStatusCode.OK), Is.EqualTo(300), string.Join(", ", answers.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
    }

    [Test]
    public async Task Refreshes_past_the_limit_are_429_problem_with_retry_after_and_change_nothing()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:RateLimit:RefreshRequestsPerAddress"] = "2",
            ["Situk:RateLimit:Window"] = "00:10:00",
        });
        var tokens = await SignInsAsync(api, 3);
        var client = api.CreateClient();
        foreach (var token in tokens.Take(2))
        {
            using var allowed = await client.PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken = token });
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var before = await api.ScalarAsync<string>("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM refresh_tokens t");
        using var refused = await client.PostAsJsonAsync("api/v1/auth/refresh", new { refreshToken = tokens[2] });

        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        Assert.That(await api.ScalarAsync<string>("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM refresh_tokens t"), Is.EqualTo(before));
    }

    /// <summary>Refresh tokens of <paramref name="count"/> sign-ins, made as sign-in makes them (without a password hash each).</summary>
    private static async Task<string[]> SignInsAsync(ApiFixture api, int count)
    {
        var user = await api.CreateUserAsync(Roles.Asesi);
        var store = api.App.Services.GetRequiredService<RefreshTokenStore>();
        await using var connection = await api.App.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        var tokens = new string[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = (await store.StartSignInAsync(connection, user.Id, CancellationToken.None)).Token;
        }

        return tokens;
    }
}
