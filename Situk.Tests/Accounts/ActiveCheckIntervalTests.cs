using System.Diagnostics;
using System.Net;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Description("A deactivation made elsewhere (another API instance, straight in the database) reaches this instance's token check within Situk:Accounts:ActiveCheckInterval.")]
public sealed class ActiveCheckIntervalTests
{
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:Accounts:ActiveCheckInterval"] = "00:00:01",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task A_token_of_a_user_deactivated_by_another_instance_fails_once_the_interval_has_passed()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using (var warm = await asesi.Client.GetAsync("api/v1/me"))
        {
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK), "this instance now remembers the user as active");
        }

        await _api.ScalarAsync<long>("WITH x AS (UPDATE users SET deactivated_at = now() WHERE id = @id RETURNING 1) SELECT count(*) FROM x", ("id", asesi.Id));
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var response = await asesi.Client.GetAsync("api/v1/me");
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(10));

        // One second of interval; up to five allows a busy machine, while a missing check never ends.
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }
}
