using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Hostile;

[Category("Hostile")]
[Description("Acks are the delivery receipts: acks for ids that do not exist or are someone else's store nothing, and a device "
    + "acking as fast as it can neither closes itself, nor slows others, nor grows memory without bound.")]
public sealed class AckHostilityTests : WholeSystemTests
{
    [Test]
    public async Task Ten_thousand_acks_in_a_second_for_unknown_and_foreign_ids_store_nothing_and_theStack_serves_on()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var mallory = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var victim = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var device = await Stack.ConnectDeviceAsync(mallory, cts.Token);
        var own = await SendAsync(mallory, "for mallory", cts.Token);
        Assert.That((await device.ReceiveNotificationAsync(cts.Token)).Id, Is.EqualTo(own));
        var foreign = await SendAsync(victim, "for the victim", cts.Token);
        var others = await OthersAsync(own);
        var before = MemoryBound.Measure();

        long[] hostile = [foreign, 0, -1, long.MaxValue, long.MinValue, foreign + 1_000_000];
        // In frames of 250 ids, as a client batches them: 10,000 frames of one id would pass the inbound bucket (1008).
        foreach (var chunk in Enumerable.Range(0, 10_000).Select(i => hostile[i % hostile.Length]).Chunk(250))
        {
            await device.SendFrameAsync(new AckFrame(chunk), cts.Token);
        }

        // The own ack goes last; receipts are stored in order, so once it is stored every hostile one has been handled.
        await device.SendFrameAsync(new AckFrame([own]), cts.Token);
        await AdminCalls.EventuallyAsync(
            async () => await Stack.Api.ScalarAsync<bool>("SELECT delivered_at IS NOT NULL FROM notifications WHERE id = @id", ("id", own)), cts.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(await OthersAsync(own), Is.EqualTo(others), "no other notification changed");
            Assert.That(await Stack.Api.ScalarAsync<long>("SELECT count(*) FROM delivery_receipts WHERE notification_id <> @id", ("id", own)), Is.Zero);
            Assert.That(device.State, Is.EqualTo(WebSocketState.Open), "acks within the limits are no breach, however many");
        });
        MemoryBound.AssertGrowthBounded(before, "10,000 acks");

        // Both processes still serve: a REST call, and a notification to a fresh device.
        var bystander = await Stack.Api.CreateUserAsync(Roles.Asesor);
        using var other = await Stack.ConnectDeviceAsync(bystander, cts.Token);
        var id = await SendAsync(bystander, "still delivered", cts.Token);
        Assert.That((await other.ReceiveNotificationAsync(cts.Token)).Id, Is.EqualTo(id));
        await device.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
    }

    private async Task<long> SendAsync(TestUser to, string title, CancellationToken cancellationToken)
    {
        using var response = await Stack.Api.Admin.Client.PostAsJsonAsync(
            "api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title, body = "body" }, cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return await Stack.Api.ScalarAsync<long>("SELECT max(id) FROM notifications WHERE user_id = @u", ("u", to.Id));
    }

    /// <summary>Every notification row except <paramref name="own"/>, as one checksum (delivery state included).</summary>
    private Task<string> OthersAsync(long own) =>
        Stack.Api.ScalarAsync<string>(
            "SELECT count(*) || ':' || coalesce(md5(string_agg(n::text, '|' ORDER BY n.id)), '-') FROM notifications n WHERE n.id <> @id", ("id", own));
}
