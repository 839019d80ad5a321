using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Api;
using Situk.Api.Certificates;

namespace Situk.Tests.Certificates;

[Description("Situk:Certificates:NumberFormat: {scheme}, {year} and {seq[:000…]} each once, literal letters, digits and / - . _; anything else stops the API at start naming the key.")]
public sealed class CertificateNumberFormatTests
{
    [TestCase("{scheme}/{year}/{seq:00000}", "JWD/2026/00042")]
    [TestCase("LSP-TIK/{scheme}.{year}.{seq}", "LSP-TIK/JWD.2026.42")]
    [TestCase("{year}-{seq:000}-{scheme}", "2026-042-JWD")]
    public void A_valid_format_numbers_as_written(string format, string expected)
    {
        var (parsed, error) = CertificateNumberFormat.Parse(format);

        Assert.That(error, Is.Null);
        Assert.That(parsed!.Format("JWD", 2026, 42), Is.EqualTo(expected));
    }

    [TestCase("{scheme}/{yr}/{seq}", "unknown placeholder '{yr}'")]
    [TestCase("{scheme}/{year}/{seq:#,##}", "unknown placeholder '{seq:#,##}'")]
    [TestCase("{scheme}/{year}/{seq:0000000000}", "unknown placeholder")]
    [TestCase("{scheme}/{year}", "must contain {seq}")]
    [TestCase("{scheme}/{seq}", "must contain {year}")]
    [TestCase("{scheme}/{year}/{seq}/{seq}", "names {seq} twice")]
    [TestCase("{scheme}/{year}/{seq", "outside a placeholder")]
    [TestCase("{scheme} {year}/{seq}", "outside a placeholder")]
    [TestCase("", "1 to 100 characters")]
    public void A_bad_format_is_refused_saying_why(string format, string why)
    {
        var (parsed, error) = CertificateNumberFormat.Parse(format);

        Assert.That(parsed, Is.Null);
        Assert.That(error, Does.Contain(why));
    }

    [Test]
    public async Task An_unknown_placeholder_stops_the_api_before_it_touches_the_database_naming_the_key()
    {
        await using var app = ApiApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = "Host=127.0.0.1;Port=9;Username=nobody;Timeout=1",
            ["Situk:Jwt:SigningKey"] = Situk.Tests.Support.ApiFixture.SigningKey,
            ["Situk:Certificates:NumberFormat"] = "{scheme}/{tahun}/{seq}",
        }));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => ApiApp.PrepareAsync(app));

        Assert.That(error!.Message, Does.Contain("Situk:Certificates:NumberFormat").And.Contain("{tahun}"));
    }
}
