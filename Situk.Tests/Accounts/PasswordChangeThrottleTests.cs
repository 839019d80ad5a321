using System.Net;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("A wrong current password on POST /me/password counts as a failed sign-in: a stolen token is no way around the guessing limits.")]
public sealed class PasswordChangeThrottleTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        // Two free failures per email, then a wait far longer than the test.
        ["Situk:RateLimit:TokenPerEmail"] = "2",
        ["Situk:RateLimit:EmailDelayBase"] = "00:10:00",
        ["Situk:RateLimit:EmailDelayCap"] = "00:10:00",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task Wrong_current_passwords_slow_further_sign_ins_and_changes_for_that_email()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var before = await _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", asesi.Id));

        for (var i = 0; i < 2; i++)
        {
            using var wrong = await asesi.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = "guess-" + i, newPassword = "a-new-password-9" });
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Forbidden);
        }

        using var third = await asesi.Client.PostAsJsonAsync("api/v1/me/password", new { currentPassword = asesi.Password, newPassword = "a-new-password-9" });
        using var signIn = await _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = asesi.Email, password = asesi.Password });

        await ProblemAssert.IsProblemAsync(third, HttpStatusCode.TooManyRequests);
        Assert.That(third.Headers.RetryAfter, Is.Not.Null);
        await ProblemAssert.IsProblemAsync(signIn, HttpStatusCode.TooManyRequests);
        Assert.That(await _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", asesi.Id)), Is.EqualTo(before));
    }
}
