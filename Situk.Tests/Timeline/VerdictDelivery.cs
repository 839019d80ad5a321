using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

/// <summary>
/// Drives a candidate through to a verdict over REST with one device of theirs connected (android,
/// a raw socket that acks every frame), then waits until the verdict was acked and its email accepted
/// by the SMTP sink. The device socket stays open for the test to use.
/// </summary>
public sealed record VerdictDelivery(Case Case, long VerdictId, NotificationFrame VerdictFrame, string RawVerdictFrame, ClientWebSocket Device)
{
    public static async Task<VerdictDelivery> RunAsync(SystemFixture system, CancellationToken ct)
    {
        var scenario = new Scenario(system.Api);
        var asesi = await system.Api.CreateUserAsync(Roles.Asesi);
        var device = await system.ConnectDeviceAsync(asesi, ct);
        var c = await scenario.CaseAtAsync(RegistrationStatus.Scheduled, asesi: asesi);
        Assert.That((await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), ct)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true, note = "Well done." }, ct);
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verdict.Content.ReadAsStringAsync(ct));

        var verdictId = await system.Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @id AND kind = @kind", ("id", asesi.Id), ("kind", NotificationKinds.VerdictCompetent));
        NotificationFrame frame;
        string raw;
        do
        {
            var message = await device.ReceiveMessageAsync(ct) ?? throw new InvalidOperationException($"The device socket closed with {device.CloseStatus}.");
            raw = System.Text.Encoding.UTF8.GetString(message);
            frame = (NotificationFrame)System.Text.Json.JsonSerializer.Deserialize(message, SitukJson.Default.DeviceFrame)!;
            await device.SendFrameAsync(new AckFrame([frame.Id]), ct);
        }
        while (frame.Id != verdictId);

        await WaitUntilAsync(system, "SELECT count(*) FROM notifications WHERE id = @id AND delivered_at IS NOT NULL", verdictId, ct);
        await WaitUntilAsync(system,
            "SELECT count(*) FROM email_attempts a JOIN email_outbox e ON e.id = a.email_id WHERE e.notification_id = @id AND a.outcome = 'sent'", verdictId, ct);
        return new VerdictDelivery(c, verdictId, frame, raw, device);
    }

    /// <summary>Polls until <paramref name="countSql"/> (with <c>@id</c>) counts at least one row.</summary>
    public static async Task WaitUntilAsync(SystemFixture system, string countSql, long id, CancellationToken ct)
    {
        while (await system.Api.ScalarAsync<long>(countSql, ("id", id)) == 0)
        {
            await Task.Delay(50, ct);
        }
    }
}
