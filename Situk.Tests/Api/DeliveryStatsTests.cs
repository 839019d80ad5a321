using System.Net;
using System.Net.Http.Json;
using Dapper;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("Delivery delay percentiles by kind, device class and payload size, computed in SQL.")]
public sealed class DeliveryStatsTests : ApiTests
{
    [Test]
    public async Task Stats_group_by_kind_device_and_payload_with_percentiles_of_the_delay()
    {
        var asesi = await Api.CreateUserAsync(Roles.Asesi);
        await using (var db = Api.OpenDb())
        {
            // Ten web deliveries of 10, 20, … 100 ms; three undelivered 20 KB ones, one of them with a failed email.
            await db.ExecuteAsync(
                """
                INSERT INTO notifications (user_id, kind, title, body, payload_bytes, created_at, delivered_at, delivered_device_class)
                SELECT @u, 'stats.sample', 't', 'b', 500, '2030-01-01T00:00:00Z'::timestamptz,
                       '2030-01-01T00:00:00Z'::timestamptz + make_interval(secs => g * 0.010), 'web'
                FROM generate_series(1, 10) g;
                INSERT INTO notifications (user_id, kind, title, body, payload_bytes, created_at)
                SELECT @u, 'stats.sample', 't', 'b', 20000, '2030-01-01T00:00:00Z'::timestamptz FROM generate_series(1, 3);
                INSERT INTO email_outbox (notification_id, user_id, to_address, subject, text_body, html_body, state)
                SELECT id, @u, 'x@situk.test', 's', 't', 'h', 'failed' FROM notifications WHERE kind = 'stats.sample' AND payload_bytes = 20000 LIMIT 1;
                """,
                new { u = asesi.Id });
        }

        var rows = (await Api.Admin.Client.GetFromJsonAsync<DeliveryStatsRow[]>("api/v1/admin/delivery-stats?since=2029-12-31T00:00:00Z"))!
            .Where(r => r.Kind == "stats.sample").ToList();

        Assert.That(rows, Has.Count.EqualTo(2));
        var web = rows.Single(r => r.DeviceClass == DeviceClasses.Web);
        var none = rows.Single(r => r.DeviceClass == "none");
        Assert.Multiple(() =>
        {
            Assert.That(web.PayloadBucket, Is.EqualTo("le1k"));
            Assert.That(web.Count, Is.EqualTo(10));
            Assert.That(web.Delivered, Is.EqualTo(10));
            Assert.That(web.P50Ms, Is.EqualTo(55).Within(0.01));
            Assert.That(web.P95Ms, Is.EqualTo(95.5).Within(0.01));
            Assert.That(web.P99Ms, Is.EqualTo(99.1).Within(0.01));
            Assert.That(web.EmailFailed, Is.Zero);
            Assert.That(none.PayloadBucket, Is.EqualTo("le64k"));
            Assert.That(none.Count, Is.EqualTo(3));
            Assert.That(none.Delivered, Is.Zero);
            Assert.That(none.P50Ms, Is.Null);
            Assert.That(none.EmailFailed, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Stats_leave_out_what_was_created_before_since()
    {
        var rows = (await Api.Admin.Client.GetFromJsonAsync<DeliveryStatsRow[]>("api/v1/admin/delivery-stats?since=2099-01-01T00:00:00Z"))!;
        Assert.That(rows, Is.Empty);
    }

    [Test]
    public async Task Stats_are_for_admins_only()
    {
        var asesor = await Api.CreateUserAsync(Roles.Asesor);
        await ProblemAssert.IsProblemAsync(await asesor.Client.GetAsync("api/v1/admin/delivery-stats"), HttpStatusCode.Forbidden);
    }
}
