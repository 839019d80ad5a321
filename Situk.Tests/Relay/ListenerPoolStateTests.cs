using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Situk.Api.Database;
using Situk.Api.Relay;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[Description("Pooled connections are not reset on their return, so the outbox listener's connection must stop listening and drop its name before it goes back to the pool.")]
public sealed class ListenerPoolStateTests
{
    [Test]
    public async Task A_stopped_listener_leaves_no_listen_and_no_name_on_the_pooled_connection()
    {
        await using var db = await TestDatabase.CreateAsync();
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, db.ConnectionString);
        builder.MaxPoolSize = 1; // one connection, so the next user gets the listener's
        await using var dataSource = NpgsqlDataSource.Create(builder);
        await using var observer = NpgsqlDataSource.Create(db.ConnectionString);

        using var stop = new CancellationTokenSource();
        var listener = new OutboxListener(dataSource, Microsoft.Extensions.Options.Options.Create(new RelayOptions()), TimeProvider.System, NullLogger<OutboxListener>.Instance);
        var listening = listener.RunAsync("push_outbox", new WakeSignal(TimeProvider.System), TimeSpan.FromSeconds(30), stop.Token);
        await WaitForListenerAsync(observer, OutboxListener.ApplicationName("push_outbox"));
        await stop.CancelAsync();
        await listening.WaitAsync(TimeSpan.FromSeconds(10));

        await using var c = await dataSource.OpenConnectionAsync();
        await using var check = new NpgsqlCommand("SELECT (SELECT count(*) FROM pg_listening_channels()), current_setting('application_name')", c);
        await using var row = await check.ExecuteReaderAsync();
        Assert.That(await row.ReadAsync(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(row.GetInt64(0), Is.Zero, "channels still listened to");
            Assert.That(row.GetString(1), Is.Not.EqualTo(OutboxListener.ApplicationName("push_outbox")));
        });
    }

    private static async Task WaitForListenerAsync(NpgsqlDataSource observer, string name)
    {
        // Bounded for a timeout-sized bug, not for speed: the listener opens one connection.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await using var command = observer.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1");
            command.Parameters.AddWithValue(name);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the listener never listened");
    }
}
