using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Situk.Api.Auth;
using Situk.Api.Hosting;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Password guessing is slowed per email (a growing delay, never a lockout) and per client address (failures only): 429 problem+json with Retry-After.")]
public sealed class TokenRateLimitTests
{
    [Test]
    [Description("A test site puts a whole lab behind one NAT address: 300 candidates sign in within a minute while a client at that address guesses one of their passwords.")]
    public async Task A_lab_of_300_behind_one_address_signs_in_while_a_stranger_there_guesses_one_of_their_passwords()
    {
        var defaults = new RateLimitOptions();
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            // The production limits, not the test defaults.
            ["Situk:RateLimit:TokenPerAddress"] = defaults.TokenPerAddress.ToString(CultureInfo.InvariantCulture),
            ["Situk:RateLimit:TokenRequestsPerAddress"] = defaults.TokenRequestsPerAddress.ToString(CultureInfo.InvariantCulture),
            ["Situk:RateLimit:TokenPerEmail"] = defaults.TokenPerEmail.ToString(CultureInfo.InvariantCulture),
            // However slow this machine, all 300 fall in one window, as they do at a real site within the minute.
            ["Situk:RateLimit:Window"] = "00:10:00",
        });
        const string Password = "lab-password-1";
        var emails = await CreateCandidatesAsync(api, 300, Password);
        var victim = emails[0];

        // The stranger: 40 wrong passwords for the victim at once, from the same address as the lab.
        var guesses = Enumerable.Range(0, 40).Select(async i =>
        {
            using var client = new HttpClient { BaseAddress = api.BaseAddress };
            using var r = await client.PostAsJsonAsync("api/v1/auth/token", new { email = victim, password = $"guess-{i}" });
            return r.StatusCode;
        }).ToList();
        var lab = await ParallelSignInsAsync(api, emails, Password);
        var guessed = await Task.WhenAll(guesses);

        Assert.Multiple(() =>
        {
            Assert.That(lab.Count(s => s == HttpStatusCode.OK), Is.EqualTo(300), string.Join(", ", lab.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
            // Checked: the free failures, one per delay, and the free ones again after the victim's own sign-in cleared the count.
            Assert.That(guessed.Count(s => s == HttpStatusCode.Unauthorized), Is.LessThan(20), "most of the stranger's guesses were refused unchecked");
            Assert.That(guessed, Has.Some.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public async Task Failures_for_one_email_bring_a_growing_delay_after_which_the_right_password_works()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:RateLimit:TokenPerEmail"] = "3",
            ["Situk:RateLimit:EmailDelayBase"] = "00:00:01",
        });
        var asesi = await api.CreateUserAsync(Roles.Asesi);
        var client = api.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await SignInAsync(client, asesi.Email, "wrong-password")).StatusCode);
        }

        // The delay is on: even the right password waits, another email does not.
        using var waiting = await SignInAsync(client, asesi.Email, asesi.Password);
        await ProblemAssert.IsProblemAsync(waiting, HttpStatusCode.TooManyRequests);
        var first = waiting.Headers.RetryAfter!.Delta!.Value;
        var other = await api.CreateUserAsync(Roles.Asesi);
        Assert.That((await SignInAsync(client, other.Email, other.Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // After it, one more wrong guess: the next delay is longer.
        await Task.Delay(first);
        Assert.That((await SignInAsync(client, asesi.Email, "wrong-password")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var longer = await SignInAsync(client, asesi.Email, asesi.Password);
        Assert.That(longer.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(longer.Headers.RetryAfter!.Delta!.Value, Is.GreaterThan(first));

        // After that one, the right password works and the count starts again.
        await Task.Delay(longer.Headers.RetryAfter!.Delta!.Value);
        Assert.That((await SignInAsync(client, asesi.Email, asesi.Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await SignInAsync(client, asesi.Email, "wrong-password")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(answers, Is.All.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Successful_sign_ins_from_one_address_do_not_count_and_failed_ones_are_limited()
    {
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["Situk:RateLimit:TokenPerAddress"] = "5" });
        var asesi = await api.CreateUserAsync(Roles.Asesi);
        var client = api.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await SignInAsync(client, asesi.Email, asesi.Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"sign-in {i}");
        }

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await SignInAsync(client, $"guess{i}@situk.test", "password-1"));
        }

        Assert.That(answers.Take(5).Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.Unauthorized));
        var problem = await ProblemAssert.IsProblemAsync(answers[5], HttpStatusCode.TooManyRequests);
        Assert.That(answers[5].Headers.RetryAfter, Is.Not.Null, problem.ToString());
        // Other routes are not limited.
        Assert.That((await client.GetAsync("healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void A_client_address_is_an_ipv4_address_or_an_ipv6_64()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ClientAddress.Key(IPAddress.Parse("203.0.113.7")), Is.EqualTo("203.0.113.7"));
            Assert.That(ClientAddress.Key(IPAddress.Parse("::ffff:203.0.113.7")), Is.EqualTo("203.0.113.7"));
            Assert.That(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2:aaaa::1")), Is.EqualTo(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2:ffff:1:2:3"))));
            Assert.That(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1")), Is.EqualTo("2001:db8:1:2::/64"));
            Assert.That(ClientAddress.Key(IPAddress.Parse("2001:db8:1:3::1")), Is.Not.EqualTo(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1"))));
        });
    }

    internal static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("api/v1/auth/token", new { email, password });

    /// <summary>Candidates straight in the database, all with one password (hashed once: the hash is the slow part).</summary>
    private static async Task<List<string>> CreateCandidatesAsync(ApiFixture api, int count, string password)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        await using var connection = api.OpenDb();
        await using var insert = new Npgsql.NpgsqlCommand(
            """
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT 'Asesi ' || n, 'lab-' || @tag || '-' || n || '@situk.test', 'asesi', @hash FROM generate_series(1, @count) AS n
            """, connection);
        insert.Parameters.AddWithValue("tag", tag);
        insert.Parameters.AddWithValue("hash", Passwords.Hash(password));
        insert.Parameters.AddWithValue("count", count);
        await insert.ExecuteNonQueryAsync();
        return [.. Enumerable.Range(1, count).Select(n => $"lab-{tag}-{n}@situk.test")];
    }

    /// <summary>Every candidate signs in (16 at a time), waiting out a 429's Retry-After as a client should.</summary>
    private static async Task<HttpStatusCode[]> ParallelSignInsAsync(ApiFixture api, List<string> emails, string password)
    {
        var answers = new HttpStatusCode[emails.Count];
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        await Parallel.ForEachAsync(Enumerable.Range(0, emails.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                using var r = await client.PostAsJsonAsync("api/v1/auth/token", new { email = emails[i], password }, ct);
                answers[i] = r.StatusCode;
                var wait = r.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                if (r.StatusCode != HttpStatusCode.TooManyRequests || attempt == 5 || wait > TimeSpan.FromSeconds(20))
                {
                    return;
                }

                await Task.Delay(wait, ct);
            }
        });
        return answers;
    }
}
