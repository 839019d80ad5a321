using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Api;

namespace Situk.Tests.Digests;

[Description("A Situk:Digests setting that cannot work stops the API at start, before it touches the database, naming the key.")]
public sealed class DigestConfigurationTests
{
    [TestCase("Situk:Digests:Window", "00:00:00", "Situk:Digests:Window")]
    [TestCase("Situk:Digests:Window", "2.00:00:00", "Situk:Digests:Window")]
    [TestCase("Situk:Digests:MaxItems", "1", "Situk:Digests:MaxItems")]
    [TestCase("Situk:Digests:MaxItems", "1000", "Situk:Digests:MaxItems")]
    [TestCase("Situk:Digests:Kinds:registration.sent", "admin", "Situk:Digests:Kinds:registration.sent")]
    [TestCase("Situk:Digests:Kinds:apl02.submitted", "asesor,boss", "Situk:Digests:Kinds:apl02.submitted")]
    [TestCase("Situk:Digests:Kinds:digest.summary", "admin", "Situk:Digests:Kinds:digest.summary")]
    public async Task A_bad_setting_stops_the_api_naming_its_key(string key, string value, string named)
    {
        await using var app = ApiApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = "Host=127.0.0.1;Port=9;Username=nobody;Timeout=1",
            ["Situk:Jwt:SigningKey"] = Support.ApiFixture.SigningKey,
            [key] = value,
        }));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => ApiApp.PrepareAsync(app));

        Assert.That(error!.Message, Does.Contain(named));
    }
}
