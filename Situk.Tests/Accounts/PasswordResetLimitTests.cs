using System.Net;
using System.Net.Http.Json;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("Reset requests are bounded like sign-ups: per client address by the rate limiter, per account by one email per interval.")]
public sealed class PasswordResetLimitTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:RateLimit:SignUpPerAddress"] = "3",
        ["Situk:RateLimit:SignUpWindow"] = "01:00:00",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task One_email_per_account_per_interval_and_the_address_limit_answers_429_with_retry_after()
    {
        var asesor = await _api.CreateUserAsync(Roles.Asesor);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts/password-reset", new { email = asesor.Email });
            answers.Add(response.StatusCode);
            if (i == 3)
            {
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests);
                Assert.That(response.Headers.RetryAfter, Is.Not.Null);
            }
        }

        Assert.That(answers, Is.EqualTo(new[] { HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }));
        Assert.That(await _api.ScalarAsync<long>(
            "SELECT count(*) FROM email_outbox WHERE to_address = @email AND subject = @subject", ("email", asesor.Email), ("subject", AccountNotices.ResetSubject("id"))),
            Is.EqualTo(1), "the default ten-minute interval lets one email through");
        using var signUp = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = "Baru", email = $"baru-{Guid.NewGuid():N}@situk.test", password = "password-123" });
        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "sign-ups are counted apart from resets");
    }
}
