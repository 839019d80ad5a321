using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Situk.Contracts;
using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Sign-up proves the email by a single-use link, never tells whether an email is taken, stores one canonical address, and is bounded by address and body size.")]
public sealed class SignUpTests
{
    private SmtpSink _smtp = null!;
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smtp = await SmtpSink.StartAsync();
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:Host"] = _smtp.Host,
            ["Situk:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Situk:Accounts:EmailInterval"] = "00:00:00",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Test]
    public async Task The_link_from_the_sign_up_email_confirms_the_address_once()
    {
        var email = Unique("link");
        using var signUp = await SignUpAsync(email);
        Assert.That(signUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));

        var mail = await MailToAsync(email, "Konfirmasi alamat email Anda");
        var token = VerificationLink.TokenIn(mail.TextBody ?? "");
        var hashes = await _api.ScalarAsync<long>("SELECT count(*) FROM email_verifications WHERE token_hash = sha256(convert_to(@t, 'UTF8'))", ("t", token));
        var plain = await _api.ScalarAsync<long>("SELECT count(*) FROM email_verifications WHERE encode(token_hash, 'escape') LIKE '%' || @t || '%'", ("t", token));
        using var first = await VerifyAsync(token);
        using var again = await VerifyAsync(token);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        Assert.That(await _api.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE email = @e", ("e", email)), Is.True);
        await ProblemAssert.NamesFieldAsync(again, HttpStatusCode.UnprocessableEntity, "token");
        Assert.That((hashes, plain), Is.EqualTo((1L, 0L)), "only a hash of the token is stored");
        await ProblemAssert.NamesFieldAsync(await VerifyAsync("not-a-token-anyone-was-sent"), HttpStatusCode.UnprocessableEntity, "token");
    }

    [Test]
    public async Task A_taken_email_gets_the_same_answer_and_its_owner_gets_an_email_instead()
    {
        var owner = await _api.CreateUserAsync(Roles.Asesi);
        var fresh = Unique("fresh");
        var before = await _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", owner.Id));

        using var taken = await SignUpAsync(owner.Email.ToUpperInvariant(), password: "another-password-1");
        using var created = await SignUpAsync(fresh);

        Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var takenBody = await taken.Content.ReadFromJsonAsync<JsonElement>();
        var createdBody = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(takenBody.GetProperty("detail").GetString(), Is.EqualTo(createdBody.GetProperty("detail").GetString()));
        Assert.That(takenBody.EnumerateObject().Select(p => p.Name), Is.EqualTo(createdBody.EnumerateObject().Select(p => p.Name)));
        Assert.That(taken.Headers.Location, Is.Null);
        var notice = await MailToAsync(owner.Email, "Ada yang mencoba mendaftar dengan email Anda");
        Assert.That(notice.TextBody, Does.Contain("silakan masuk dengan akun tersebut"));
        Assert.That(await _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", owner.Id)), Is.EqualTo(before), "the account is untouched");
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM users WHERE lower(email) = @e", ("e", owner.Email)), Is.EqualTo(1));
    }

    [Test]
    public async Task Signing_up_again_before_confirming_sends_a_fresh_link()
    {
        var email = Unique("again");
        using var first = await SignUpAsync(email);
        var firstToken = await _api.VerificationTokenAsync(email);

        using var second = await SignUpAsync(email);
        var secondToken = await _api.VerificationTokenAsync(email);

        Assert.That(secondToken, Is.Not.EqualTo(firstToken));
        Assert.That((await VerifyAsync(secondToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Registering_for_a_scheme_needs_a_confirmed_email()
    {
        var scenario = new Scenario(_api);
        var schedule = await scenario.CreateScheduleAsync((await scenario.CreateSchemeAsync()).Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi, verified: false);
        var before = await DatabaseFingerprint.TakeAsync(_api);

        using var refused = await Scenario.RegisterAsync(asesi, schedule);

        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Confirm your email address"));
        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "an unconfirmed registration");
        Assert.That((await VerifyAsync(await _api.VerificationTokenAsync(asesi.Email))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Scenario.RegisterAsync(asesi, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task The_first_admin_and_admin_created_asesors_count_as_confirmed()
    {
        var asesor = await _api.CreateUserAsync(Roles.Asesor);

        Assert.That(await _api.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE id = @id", ("id", _api.Admin.Id)), Is.True);
        Assert.That(await _api.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE id = @id", ("id", asesor.Id)), Is.True);
    }

    [TestCase("Eve <victim@situk.test>")]
    [TestCase("\"Eve\" <victim@situk.test>")]
    [TestCase("<victim@situk.test>")]
    [TestCase("victim@situk.test (Eve)")]
    [TestCase("victim@situk.test, eve@situk.test")]
    [TestCase("\"victim@situk.test\"@evil.test")]
    [TestCase("victim@situk.test>")]
    [TestCase("vic tim@situk.test")]
    [TestCase("victim@[127.0.0.1]")]
    [TestCase("vïctim@situk.test")]
    public async Task An_email_the_mail_library_would_read_as_another_address_is_refused(string email)
    {
        var before = await DatabaseFingerprint.TakeAsync(_api);

        using var response = await SignUpAsync(email);

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "email");
        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, email);
    }

    [Test]
    public async Task An_email_is_stored_trimmed_and_in_lower_case_and_signs_in_in_any_case()
    {
        var email = Unique("Mixed.Case");

        using var response = await SignUpAsync($"  {email.ToUpperInvariant()} ");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString(), Is.EqualTo(email.ToLowerInvariant()));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = @e", ("e", email.ToLowerInvariant())), Is.EqualTo(1));
        using var signIn = await _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = $" {email} ", password = "password-123" });
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "sign-in works before confirming, so the person can see their state");
    }

    [Test]
    public async Task A_sign_up_body_over_16_KiB_is_413_naming_the_body_and_stores_nothing()
    {
        var before = await DatabaseFingerprint.TakeAsync(_api);
        var body = $$"""{"fullName":"{{new string('x', 17 * 1024)}}","email":"{{Unique("big")}}","password":"password-123"}""";

        using var response = await _api.CreateClient().PostAsync("api/v1/accounts", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("16384"));
        await DatabaseFingerprint.AssertUnchangedAsync(_api, before, "a 17 KiB sign-up");
    }

    [Test]
    public async Task A_link_used_after_it_expires_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = await ApiFixture.StartAsync(
            new Dictionary<string, string?> { ["Situk:Accounts:VerificationLifetime"] = "00:10:00" },
            b => b.Services.AddSingleton<TimeProvider>(time));
        var email = Unique("late");
        using var signUp = await api.CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = "Late", email, password = "password-123" });
        var token = await api.VerificationTokenAsync(email);

        time.Advance(TimeSpan.FromMinutes(11));
        using var late = await api.CreateClient().PostAsJsonAsync("api/v1/accounts/verify", new { token });

        var problem = await ProblemAssert.NamesFieldAsync(late, HttpStatusCode.UnprocessableEntity, "token");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("expired"));
        Assert.That(await api.ScalarAsync<bool>("SELECT email_verified_at IS NULL FROM users WHERE email = @e", ("e", email)), Is.True);
    }

    [Test]
    public async Task Sign_ups_from_one_address_are_limited_with_429_and_retry_after()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:RateLimit:SignUpPerAddress"] = "3" });
        var client = api.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.PostAsJsonAsync("api/v1/accounts", new { fullName = "Many", email = Unique("many"), password = "password-123" }));
        }

        Assert.That(answers.Take(3).Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.Accepted));
        await ProblemAssert.IsProblemAsync(answers[3], HttpStatusCode.TooManyRequests);
        Assert.That(answers[3].Headers.RetryAfter, Is.Not.Null);
        Assert.That(await api.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'asesi'"), Is.EqualTo(3));
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}@situk.test".ToLowerInvariant();

    private Task<HttpResponseMessage> SignUpAsync(string email, string password = "password-123") =>
        _api.CreateClient().PostAsJsonAsync("api/v1/accounts", new { fullName = "Putu Asesi", email, password });

    private Task<HttpResponseMessage> VerifyAsync(string token) =>
        _api.CreateClient().PostAsJsonAsync("api/v1/accounts/verify", new { token });

    private async Task<MimeKit.MimeMessage> MailToAsync(string address, string subject)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var mail = _smtp.Messages.LastOrDefault(m => m.Subject == subject && m.To.Mailboxes.Any(b => b.Address == address.ToLowerInvariant()));
            if (mail is not null)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No '{subject}' email to {address} within 30 s.");
    }
}
