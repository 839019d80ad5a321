using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Dapper;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.EndToEnd;

[Description("The whole system: REST steps commit notifications, the relay pushes them through the real broker to devices, acks come back as receipts, and the two emails reach the SMTP server.")]
public sealed class JourneyEndToEndTests : WholeSystemTests
{
    [Test]
    public async Task Every_step_reaches_the_devices_of_those_concerned_and_the_verdict_is_emailed()
    {
        using var cts = Timeouts.Generous();
        var scenario = new Scenario(Stack.Api);
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var asesor = await Stack.Api.CreateUserAsync(Roles.Asesor);
        using var asesiDevice = await Stack.ConnectDeviceAsync(asesi, cts.Token);
        using var asesorDevice = await Stack.ConnectDeviceAsync(asesor, cts.Token);

        var c = await scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesi: asesi, asesor: asesor);
        Assert.That((await asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var verdict = await asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true, note = "Well done." }, cts.Token);
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verdict.Content.ReadAsStringAsync(cts.Token));

        var asesiKinds = await ReceiveAndAckAsync(asesiDevice, 7, cts.Token);
        // The APL-02 notice waits for the asesor's digest (Situk:Digests, 15 minutes or 20 items); only the assignment is pushed alone.
        var asesorKinds = await ReceiveAndAckAsync(asesorDevice, 1, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(asesiKinds, Is.EqualTo(new[]
            {
                NotificationKinds.RegistrationSubmitted, NotificationKinds.RegistrationVerified, NotificationKinds.AssessmentAssigned,
                // The verdict is pulled after push: the raw frame names only the kind's family (see PullAfterPushTests).
                NotificationKinds.AssessmentEligible, NotificationKinds.AssessmentScheduled, "verdict",
                // So is the certificate the verdict issued: its family only.
                "certificate",
            }));
            Assert.That(asesorKinds, Is.EqualTo(new[] { NotificationKinds.AssessmentAssigned }));
        });

        // Each ack became the delivery receipt, with the device class the socket declared.
        await WaitUntilAsync(async () => await Stack.Api.ScalarAsync<long>(
            """
            SELECT count(*) FROM notifications n WHERE n.user_id = ANY(@ids) AND n.delivered_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM digest_items d WHERE d.notification_id = n.id)
            """, ("ids", new[] { asesi.Id, asesor.Id })) == 0, cts.Token);
        await using var db = Stack.Api.OpenDb();
        var classes = (await db.QueryAsync<string>("SELECT DISTINCT delivered_device_class FROM notifications WHERE user_id = @id", new { id = asesi.Id })).ToList();
        Assert.That(classes, Is.EqualTo(new[] { DeviceClasses.Android }));

        // Registration received, the verdict and its certificate, by email, once each, to the address the asesi
        // signed up with. (Besides the sign-up link, which is no notification.)
        await WaitUntilAsync(() => Task.FromResult(MailTo(asesi.Email).Count >= 4), cts.Token);
        var mail = MailTo(asesi.Email).Where(m => m.Subject != Situk.Api.Accounts.AccountNotices.VerifySubject("id")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mail, Has.Count.EqualTo(3));
            Assert.That(mail.All(m => m.TextBody is { Length: > 0 } && m.HtmlBody is { Length: > 0 }), Is.True, "HTML and plain text");
        });
    }

    [Test]
    public async Task The_api_is_fully_ready_when_the_broker_link_is_up()
    {
        using var cts = Timeouts.Generous();
        using var client = Stack.Api.CreateClient();
        await WaitUntilAsync(async () =>
        {
            using var response = await client.GetAsync("readyz", cts.Token);
            return (await response.Content.ReadAsStringAsync(cts.Token)).StartsWith("{\"status\":\"Healthy\"", StringComparison.Ordinal);
        }, cts.Token);
        using var ready = await client.GetAsync("readyz", cts.Token);
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private List<MimeKit.MimeMessage> MailTo(string address) =>
        Stack.Smtp.Messages.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    private static async Task<List<string>> ReceiveAndAckAsync(WebSocket device, int count, CancellationToken ct)
    {
        var kinds = new List<string>();
        var seen = new HashSet<long>();
        while (kinds.Count < count)
        {
            var n = await device.ReceiveNotificationAsync(ct);
            await device.SendFrameAsync(new AckFrame([n.Id]), ct);
            if (seen.Add(n.Id))
            {
                kinds.Add(n.Kind);
            }
        }

        return kinds;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
