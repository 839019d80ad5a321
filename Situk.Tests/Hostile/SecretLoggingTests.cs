using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Across a whole journey — sign-up, tokens, devices (header and query token), every registration step, emails, and calls "
    + "with wrong passwords, tokens and keys — no password, token, key or signing key appears in any log line of the API or the broker, "
    + "even at Trace.")]
public sealed class SecretLoggingTests
{
    private const string SmtpPassword = "situk-tests-smtp-password-0123456789";

    [Test]
    public async Task No_secret_reaches_any_log_line_of_either_process()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var captured = new LogCapture();
        var trace = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace" };
        await using var broker = await BrokerFixture.StartAsync(trace, b => b.Logging.AddProvider(captured));
        await using var smtp = await SmtpSink.StartAsync();
        var settings = new Dictionary<string, string?>(trace)
        {
            ["Situk:Api:BrokerInternalUrl"] = broker.InternalUri.ToString(),
            ["Situk:Api:PublicBrokerUrl"] = broker.DeviceUri.ToString(),
            ["Situk:Broker:InternalKey"] = broker.InternalKey,
            ["Situk:Broker:AdminKey"] = broker.AdminKey,
            ["Situk:Api:BrokerAdminUrl"] = broker.InternalHttp.ToString(),
            ["Situk:Smtp:Host"] = smtp.Host,
            ["Situk:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Situk:Smtp:Password"] = SmtpPassword,
        };
        await using var api = await ApiFixture.StartAsync(settings, b => b.Logging.AddProvider(captured).SetMinimumLevel(LogLevel.Trace));
        var secrets = new Dictionary<string, string>
        {
            ["signing key"] = ApiFixture.SigningKey,
            ["broker admin key"] = broker.AdminKey,
            ["broker internal key"] = broker.InternalKey,
            ["first admin's password"] = ApiFixture.AdminPassword,
            ["smtp password"] = SmtpPassword,
        };

        // Sign-up and sign-in through the routes, as a person would; the tokens the API hands out are secrets too.
        var anonymous = api.CreateClient();
        const string AsesiPassword = "asesi-journey-password-1";
        var asesiEmail = $"journey-{Guid.NewGuid():N}@situk.test";
        Assert.That((await anonymous.PostAsJsonAsync("api/v1/accounts", new { fullName = "Putu", email = asesiEmail, password = AsesiPassword }, cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var verificationToken = await api.VerificationTokenAsync(asesiEmail);
        secrets["email verification token"] = verificationToken;
        Assert.That((await anonymous.PostAsJsonAsync("api/v1/accounts/verify", new { token = verificationToken }, cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        secrets["asesi's password"] = AsesiPassword;
        var asesiToken = await SignInAsync(anonymous, asesiEmail, AsesiPassword, cts.Token);
        var adminToken = await SignInAsync(anonymous, ApiFixture.AdminEmail, ApiFixture.AdminPassword, cts.Token);
        secrets["asesi's token"] = asesiToken;
        secrets["asesi's token signature"] = asesiToken[(asesiToken.LastIndexOf('.') + 1)..];
        secrets["admin's token signature"] = adminToken[(adminToken.LastIndexOf('.') + 1)..];

        // Devices: one with the header, one as a browser with ?access_token=.
        var asesiId = await api.ScalarAsync<long>("SELECT id FROM users WHERE email = @e", ("e", asesiEmail));
        var asesi = new TestUser(asesiId, asesiEmail, AsesiPassword, Roles.Asesi, "Putu", api.CreateClient(asesiToken));
        var asesor = await api.CreateUserAsync(Roles.Asesor);
        secrets["asesor's password"] = asesor.Password;
        using var phone = new ClientWebSocket();
        phone.Options.SetRequestHeader("Authorization", "Bearer " + asesiToken);
        await phone.ConnectAsync(new Uri(broker.DeviceUri + "?device=android"), cts.Token);
        using var browser = new ClientWebSocket();
        await browser.ConnectAsync(new Uri(broker.DeviceUri + "?device=web&access_token=" + Uri.EscapeDataString(asesiToken)), cts.Token);

        // The whole journey, to the verdict and its email.
        var scenario = new Scenario(api);
        var c = await scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesi: asesi, asesor: asesor);
        Assert.That((await asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true }, cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var received = new List<long>();
        while (received.Count < 6)
        {
            if (await phone.ReceiveDeviceFrameAsync(cts.Token) is NotificationFrame notification)
            {
                received.Add(notification.Id);
            }
        }

        await phone.SendFrameAsync(new AckFrame([.. received]), cts.Token);
        await smtp.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30)); // the sign-up link, registration received, the verdict

        // Wrong passwords, forged and expired tokens, wrong keys.
        const string Guess = "guessed-password-Xy9!";
        secrets["guessed password"] = Guess;
        await ProblemAssert.IsProblemAsync(await anonymous.PostAsJsonAsync("api/v1/auth/token", new { email = asesiEmail, password = Guess }, cts.Token), HttpStatusCode.Unauthorized);
        var forged = broker.Tokens.WithWrongKey(asesiId.ToString(System.Globalization.CultureInfo.InvariantCulture), Roles.Admin);
        secrets["forged token signature"] = forged[(forged.LastIndexOf('.') + 1)..];
        await ProblemAssert.IsProblemAsync(await api.CreateClient(forged).GetAsync("api/v1/admin/delivery-stats", cts.Token), HttpStatusCode.Unauthorized);
        Assert.That(await broker.TryConnectDeviceAsync(queryToken: forged, cancellationToken: cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
        const string WrongKey = "wrong-admin-key-0123456789-abcdef";
        secrets["wrong admin key"] = WrongKey;
        using (var wrong = broker.CreateAdminClient(WrongKey))
        {
            await ProblemAssert.IsProblemAsync(await wrong.GetAsync("admin/sessions", cts.Token), HttpStatusCode.Unauthorized);
        }

        Assert.ThrowsAsync<WebSocketException>(() => broker.ConnectInternalAsync(WrongKey, cts.Token));
        await api.Admin.Client.GetAsync("api/v1/admin/broker/sessions", cts.Token);
        await phone.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await browser.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);

        var lines = captured.Lines.ToArray();
        Assert.That(lines, Has.Length.GreaterThan(100), "the capture saw both processes at work");
        Assert.That(lines, Has.Some.Contains("Situk.Api").And.Some.Contains("Situk.Broker").And.Some.Contains("Request starting"),
            "both processes' own lines and the framework's request lines at Trace");
        Assert.Multiple(() =>
        {
            foreach (var (name, secret) in secrets)
            {
                Assert.That(lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).Take(3), Is.Empty, $"the {name} appears in the logs");
            }
        });
    }

    private static async Task<string> SignInAsync(HttpClient client, string email, string password, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync("api/v1/auth/token", new { email, password }, cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }
}
