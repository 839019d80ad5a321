using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Api;

namespace Situk.Tests.Notifications;

[Description("The LSP's contact in every email's footer comes from Situk:Lsp:*; a value no reader could use stops the API at start, naming the key.")]
public sealed class LspContactTests
{
    [TestCase("Situk:Lsp:WebUrl", "lsp.example", "Situk:Lsp:WebUrl")]
    [TestCase("Situk:Lsp:WebUrl", "javascript:alert(1)", "Situk:Lsp:WebUrl")]
    [TestCase("Situk:Lsp:Phone", "call us", "Situk:Lsp:Phone")]
    [TestCase("Situk:Lsp:Email", "sertifikasi at lsp", "Situk:Lsp:Email")]
    [TestCase("Situk:Lsp:Address", "Jl. Raya ITS\nSurabaya", "Situk:Lsp:Address")]
    public async Task A_contact_no_reader_could_use_stops_the_api_naming_the_key(string key, string value, string named)
    {
        await using var app = ApiApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = "Host=127.0.0.1;Port=9;Username=nobody;Timeout=1",
            ["Situk:Jwt:SigningKey"] = Situk.Tests.Support.ApiFixture.SigningKey,
            [key] = value,
        }));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => ApiApp.PrepareAsync(app));

        Assert.That(error!.Message, Does.Contain(named));
    }
}
