using System.Net;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Certificates;

[Description("GET /certificates/{number} answers anyone, without an account, whether a certificate is valid, expired or revoked, "
    + "with the holder's and scheme's names and nothing that identifies the holder further; rate-limited per client address.")]
public sealed class CertificateCheckTests : ApiTests
{
    private static readonly string[] PublicFields = ["number", "status", "holderName", "schemeName", "issuedAt", "expiresAt"];

    [Test]
    public async Task Anyone_checks_a_valid_certificate_by_its_encoded_number_or_with_plain_slashes_and_sees_only_the_public_fields()
    {
        var certified = await Scenario.CertifiedAsync();
        var anonymous = Api.CreateClient();

        var encoded = await CertificateSteps.JsonAsync(await anonymous.GetAsync(certified.Path));
        var plain = await CertificateSteps.JsonAsync(await anonymous.GetAsync("api/v1/certificates/" + certified.Number));

        Assert.Multiple(() =>
        {
            Assert.That(encoded.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(PublicFields), encoded.ToString());
            Assert.That(encoded.GetProperty("number").GetString(), Is.EqualTo(certified.Number));
            Assert.That(encoded.GetProperty("status").GetString(), Is.EqualTo("valid"));
            Assert.That(encoded.GetProperty("holderName").GetString(), Is.EqualTo(certified.Case.Asesi.FullName));
            Assert.That(encoded.GetProperty("schemeName").GetString(), Is.EqualTo(certified.Case.Scheme.Name));
            Assert.That(encoded.ToString(), Does.Not.Contain(certified.Case.Asesi.Email).And.Not.Contain("3578012345678901"));
            Assert.That(plain.ToString(), Is.EqualTo(encoded.ToString()));
        });
    }

    [Test]
    public async Task A_certificate_past_its_expiry_checks_as_expired()
    {
        var certified = await Scenario.CertifiedAsync();
        await Api.ScalarAsync<int>(
            "UPDATE certificates SET issued_at = now() - interval '3 years 1 day', expires_at = now() - interval '1 day' WHERE number = @n RETURNING 1", ("n", certified.Number));

        var check = await CertificateSteps.JsonAsync(await Api.CreateClient().GetAsync(certified.Path));

        Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("expired"));
    }

    [Test]
    public async Task A_revoked_certificate_checks_as_revoked_with_the_time_and_without_the_reason()
    {
        var certified = await Scenario.CertifiedAsync();
        var revoked = await Api.Admin.Client.PostAsync($"{certified.Path}/revocation", CertificateRevocationTests.Reason("Forged portfolio evidence."));
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK), await revoked.Content.ReadAsStringAsync());

        var check = await CertificateSteps.JsonAsync(await Api.CreateClient().GetAsync(certified.Path));

        Assert.Multiple(() =>
        {
            Assert.That(check.GetProperty("status").GetString(), Is.EqualTo("revoked"));
            Assert.That(check.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(PublicFields.Append("revokedAt")));
            Assert.That(check.ToString(), Does.Not.Contain("Forged"));
        });
    }

    [TestCase("NOPE%2F2026%2F00001")]
    [TestCase("NOPE/2026/00001")]
    [TestCase("x")]
    public async Task An_unknown_number_is_404_problem(string number)
    {
        await Scenario.CertifiedAsync();

        var response = await Api.CreateClient().GetAsync("api/v1/certificates/" + number);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(number.Replace("%2F", "/", StringComparison.Ordinal)));
    }

    [Test]
    [Description("Past the per-address limit (lowered to 3 here; 120 a minute by default) the check is 429 problem+json with Retry-After.")]
    public async Task Checks_past_the_per_address_limit_are_429_with_retry_after()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Certificates:CheckPerAddress"] = "3" });
        var anonymous = api.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await ProblemAssert.IsProblemAsync(await anonymous.GetAsync("api/v1/certificates/NONE%2F2026%2F00001"), HttpStatusCode.NotFound);
        }

        var limited = await anonymous.GetAsync("api/v1/certificates/NONE%2F2026%2F00001");

        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.That(limited.Headers.RetryAfter, Is.Not.Null);
    }
}
