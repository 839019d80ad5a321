using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Sessions;

[Description("Sessions are indexed by user: many per user up to a cap, the oldest making way for the newest.")]
public sealed class SessionRegistryTests
{
    [Test]
    public async Task Opening_past_the_per_user_cap_closes_the_oldest_with_1000_replaced()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:MaxSessionsPerUser"] = "2" });
        var (first, firstWelcome) = await broker.ConnectDeviceWithWelcomeAsync("capped", cancellationToken: cts.Token);
        var (second, secondWelcome) = await broker.ConnectDeviceWithWelcomeAsync("capped", cancellationToken: cts.Token);
        var (third, thirdWelcome) = await broker.ConnectDeviceWithWelcomeAsync("capped", cancellationToken: cts.Token);
        using (first)
        using (second)
        using (third)
        {
            Assert.That(await first.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.Normal));
            Assert.That(first.CloseStatusDescription, Is.EqualTo("replaced"));
            var open = await broker.SessionsAsync("capped", cts.Token);
            Assert.That(open.Select(s => s.SessionId), Is.EquivalentTo(new[] { secondWelcome.SessionId, thirdWelcome.SessionId }));
        }
    }

    [Test]
    public async Task Every_session_of_a_user_receives_what_is_sent_to_that_user()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (phone, _) = await broker.ConnectDeviceWithWelcomeAsync("two-devices", cancellationToken: cts.Token);
        var (laptop, _) = await broker.ConnectDeviceWithWelcomeAsync("two-devices", cancellationToken: cts.Token);
        var (other, _) = await broker.ConnectDeviceWithWelcomeAsync("someone-else", cancellationToken: cts.Token);
        using (phone)
        using (laptop)
        using (other)
        {
            var sessions = await broker.PublishAsync(Audience.Users("two-devices", "two-devices", "nobody"), "hello", cts.Token);
            Assert.Multiple(async () =>
            {
                Assert.That(sessions, Is.EqualTo(2));
                Assert.That((await phone.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("hello"));
                Assert.That((await laptop.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("hello"));
            });
        }
    }

    [Test]
    public async Task Closed_sessions_leave_the_registry_and_the_gauges()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (socket, _) = await broker.ConnectDeviceWithWelcomeAsync("leaver", cancellationToken: cts.Token);
        Assert.That((await broker.StatsAsync(cts.Token)).Connections, Is.EqualTo(1));

        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        socket.Dispose();

        await AdminCalls.EventuallyAsync(async () => (await broker.StatsAsync(cts.Token)) is { Connections: 0, Users: 0 }, cts.Token);
        Assert.That(await broker.SessionsAsync(null, cts.Token), Is.Empty);
    }
}
