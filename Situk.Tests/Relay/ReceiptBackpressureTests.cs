using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Npgsql;
using Situk.Broker.Internal;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[Category("Hostile")]
[Description("Receipts reach the API against the credit it grants, so a database that cannot take them holds them back in the broker "
    + "while the link reader goes on reading the broker's published answers: publishes neither time out nor repeat.")]
public sealed class ReceiptBackpressureTests : WholeSystemTests
{
    [Test]
    [Description("delivery_receipts locked while one device acks 102,400 ids: a publish to another device is still answered (forwarded "
        + "after one attempt, well inside the 10 s publish timeout), and once the lock goes the other device's receipt is stored.")]
    public async Task Published_answers_keep_flowing_while_receipt_writes_are_blocked()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        var acker = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var bystander = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var flooding = await Stack.ConnectDeviceAsync(acker, ct);
        using var other = await Stack.ConnectDeviceAsync(bystander, ct);
        var link = Stack.Broker.Service<LinkRegistry>().All.Single();

        await using var db = Stack.Api.OpenDb();
        await using var transaction = await db.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("LOCK TABLE delivery_receipts IN EXCLUSIVE MODE", db, transaction))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        // 400 frames of 256 fresh ids, within the inbound bucket: more receipts than the API's window, and
        // more than its old 256-batch queue. Sent in the background: the broker stops reading this socket
        // once the device holds its share of the receipt queue.
        using var stopAcking = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var acking = Task.Run(async () =>
        {
            for (var frame = 0; frame < 400; frame++)
            {
                var ids = Enumerable.Range(0, 256).Select(i => 10_000_000L + (frame * 256) + i).ToArray();
                await flooding.SendFrameAsync(new AckFrame(ids), stopAcking.Token);
            }
        }, stopAcking.Token);
        await AdminCalls.EventuallyAsync(() => Task.FromResult(link.ReceiptCredit <= 0), ct);

        var id = await SendAsync(bystander, "while receipts wait", ct);
        Assert.That((await other.ReceiveNotificationAsync(ct)).Id, Is.EqualTo(id));
        var forwarded = await WaitForwardedAsync(id, TimeSpan.FromSeconds(5), ct);
        await other.SendFrameAsync(new AckFrame([id]), ct);

        await transaction.RollbackAsync(ct);
        await AdminCalls.EventuallyAsync(
            async () => await Stack.Api.ScalarAsync<bool>("SELECT delivered_at IS NOT NULL FROM notifications WHERE id = @id", ("id", id)), ct);
        await stopAcking.CancelAsync();
        await acking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        Assert.Multiple(async () =>
        {
            Assert.That(forwarded, Is.True, "the broker's published answer was read while receipt writes were blocked");
            Assert.That(await Stack.Api.ScalarAsync<int>("SELECT attempts FROM push_outbox WHERE notification_id = @id", ("id", id)), Is.EqualTo(1),
                "published once, never retried");
            Assert.That(other.State, Is.EqualTo(WebSocketState.Open));
        });
    }

    private async Task<bool> WaitForwardedAsync(long id, TimeSpan within, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await Stack.Api.ScalarAsync<bool>("SELECT state = 'forwarded' FROM push_outbox WHERE notification_id = @id", ("id", id)))
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return false;
    }

    private async Task<long> SendAsync(TestUser to, string title, CancellationToken ct)
    {
        using var response = await Stack.Api.Admin.Client.PostAsJsonAsync(
            "api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title, body = "body" }, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return await Stack.Api.ScalarAsync<long>("SELECT max(id) FROM notifications WHERE user_id = @u", ("u", to.Id));
    }
}
