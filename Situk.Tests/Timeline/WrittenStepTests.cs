using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Timeline;

[Description("Every write of a notification frame to a device socket is on record on its own, batched broker → API, whether or not the device ever acks: the timeline shows one written step per session.")]
public sealed class WrittenStepTests : WholeSystemTests
{
    // The broker flushes every 5 ms and the API stores at once; this only catches a write that is never recorded.
    private static readonly TimeSpan RecordedWithin = TimeSpan.FromSeconds(10);

    [Test]
    [Description("The case where proof matters most: the frame reached the socket and the device never answered.")]
    public async Task A_device_that_never_acks_has_a_written_step()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (device, sessionId, id) = await SentToNewDeviceAsync(DeviceClasses.Ios, cts.Token);
        using var _ = device;

        var written = await WaitForStepAsync(id, s => s.Kind == TimelineSteps.Written, cts.Token);
        // The relay marks the row forwarded once the broker answered, which may be after the write.
        var forwarded = await WaitForStepAsync(id, s => s.Kind == TimelineSteps.Forwarded, cts.Token);
        var timeline = await TimelineAsync(id, cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(written.SessionId, Is.EqualTo(sessionId));
            Assert.That(written.DeviceClass, Is.EqualTo(DeviceClasses.Ios));
            Assert.That(written.At, Is.GreaterThanOrEqualTo(forwarded.At), "forwarded is the claim time, before the publish");
            Assert.That(timeline.Steps.Any(s => s.Kind == TimelineSteps.Acked), Is.False, "the device never acked");
        });
    }

    [Test]
    [Description("Written reported on its own and in the ack's receipt is still one step, with the ack's session.")]
    public async Task A_device_that_acks_has_exactly_one_written_step()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (device, sessionId, id) = await SentToNewDeviceAsync(DeviceClasses.Web, cts.Token);
        using var _ = device;
        await device.SendFrameAsync(new AckFrame([id]), cts.Token);

        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_receipts WHERE notification_id = @id", id, 1, cts.Token);
        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_writes WHERE notification_id = @id", id, 1, cts.Token);
        var steps = (await TimelineAsync(id, cts.Token)).Steps;
        var written = steps.Where(s => s.Kind == TimelineSteps.Written).ToList();
        var acked = steps.Single(s => s.Kind == TimelineSteps.Acked);
        Assert.Multiple(() =>
        {
            Assert.That(written, Has.Count.EqualTo(1), string.Join(", ", steps.Select(s => s.Kind)));
            Assert.That(written[0].SessionId, Is.EqualTo(sessionId));
            Assert.That(acked.SessionId, Is.EqualTo(sessionId));
            Assert.That(acked.At, Is.GreaterThanOrEqualTo(written[0].At));
        });
    }

    [Test]
    [Description("Each session a notification was written to has its own written step: a device that reconnects without acking is re-sent the notification, and both writes are on record.")]
    public async Task A_re_send_to_a_new_session_is_a_second_written_step()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var (first, firstSession) = await DeviceSessions.ConnectAsync(Stack, asesi, DeviceClasses.Android, cts.Token);
        var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", cts.Token);
        Assert.That((await DeviceSessions.ReceiveNotificationAsync(first, cts.Token)).Id, Is.EqualTo(id));
        await DeviceSessions.CloseAsync(first, cts.Token);

        var (second, secondSession) = await DeviceSessions.ConnectAsync(Stack, asesi, DeviceClasses.Android, cts.Token);
        using var _ = second;
        Assert.That((await DeviceSessions.ReceiveNotificationAsync(second, cts.Token)).Id, Is.EqualTo(id), "re-sent when the user came online");

        await DeviceSessions.WaitForCountAsync(Stack, "SELECT count(*) FROM delivery_writes WHERE notification_id = @id", id, 2, cts.Token);
        var written = (await TimelineAsync(id, cts.Token)).Steps.Where(s => s.Kind == TimelineSteps.Written).ToList();
        Assert.That(written.Select(s => s.SessionId), Is.EquivalentTo(new[] { firstSession, secondSession }));
    }

    /// <summary>A new asesi's device of <paramref name="deviceClass"/>, and a notification it has received.</summary>
    private async Task<(ClientWebSocket Device, string SessionId, long Id)> SentToNewDeviceAsync(string deviceClass, CancellationToken ct)
    {
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var (device, sessionId) = await DeviceSessions.ConnectAsync(Stack, asesi, deviceClass, ct);
        try
        {
            var id = await DeviceSessions.SendAsync(Stack, asesi, "Jadwal asesmen", ct);
            Assert.That((await DeviceSessions.ReceiveNotificationAsync(device, ct)).Id, Is.EqualTo(id));
            return (device, sessionId, id);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private async Task<TimelineStep> WaitForStepAsync(long id, Func<TimelineStep, bool> match, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(RecordedWithin);
        while (true)
        {
            if ((await TimelineAsync(id, ct)).Steps.FirstOrDefault(match) is { } step)
            {
                return step;
            }

            try
            {
                await Task.Delay(50, bound.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"No such step in notification {id}'s timeline within {RecordedWithin}.");
            }
        }
    }

    private async Task<NotificationTimeline> TimelineAsync(long id, CancellationToken ct)
    {
        using var response = await Stack.Api.Admin.Client.GetAsync($"api/v1/notifications/{id}/timeline", ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync(SitukJson.Default.NotificationTimeline, ct))!;
    }
}
