using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using Situk.Api.Auth;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("users.password_hash holds a salted PBKDF2 hash in ASP.NET Core Identity's v3 format (docs/API.md), never the password.")]
public sealed class PasswordStorageTests
{
    [Test]
    public async Task Passwords_of_every_kind_of_account_are_stored_as_salted_pbkdf2_hashes()
    {
        await using var api = await ApiFixture.StartAsync();
        const string Shared = "the-same-password-1";
        var anonymous = api.CreateClient();
        var emails = new[] { $"hash-a-{Guid.NewGuid():N}@situk.test", $"hash-b-{Guid.NewGuid():N}@situk.test" };
        foreach (var email in emails)
        {
            using var created = await anonymous.PostAsJsonAsync("api/v1/accounts", new { fullName = "Kadek", email, password = Shared });
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var asesor = await api.CreateUserAsync(Roles.Asesor);
        var stored = new Dictionary<string, (string Hash, string Password)>
        {
            ["asesi a"] = (await HashOfAsync(api, emails[0]), Shared),
            ["asesi b"] = (await HashOfAsync(api, emails[1]), Shared),
            ["asesor"] = (await HashOfAsync(api, asesor.Email), asesor.Password),
            ["first admin"] = (await HashOfAsync(api, ApiFixture.AdminEmail), ApiFixture.AdminPassword),
        };

        Assert.Multiple(() =>
        {
            foreach (var (who, (hash, password)) in stored)
            {
                Assert.That(hash, Does.Not.Contain(password), who);
                var bytes = Convert.FromBase64String(hash);
                Assert.That(bytes, Has.Length.EqualTo(61), $"{who}: 13-byte header, 16-byte salt, 32-byte subkey");
                Assert.That(bytes[0], Is.EqualTo(0x01), $"{who}: format marker of Identity v3");
                Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)), Is.EqualTo(2u), $"{who}: PRF HMAC-SHA512");
                Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)), Is.GreaterThanOrEqualTo(100_000u), $"{who}: iterations");
                Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9)), Is.EqualTo(16u), $"{who}: salt length");
                Assert.That(Passwords.Verify(hash, password), Is.True, $"{who}: the hash verifies the password");
                Assert.That(Passwords.Verify(hash, password + "x"), Is.False, $"{who}: and nothing else");
            }

            Assert.That(stored["asesi a"].Hash, Is.Not.EqualTo(stored["asesi b"].Hash), "one password, two salts, two hashes");
        });
    }

    private static Task<string> HashOfAsync(ApiFixture api, string email) =>
        api.ScalarAsync<string>("SELECT password_hash FROM users WHERE lower(email) = lower(@e)", ("e", email));
}
