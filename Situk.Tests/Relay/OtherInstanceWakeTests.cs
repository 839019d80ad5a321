using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Situk.Api.Database;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Preferences;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

[Description("A commit that wrote outbox rows wakes the relays of the API instance that wrote them at once, and the other instances' only after Situk:Relay:OtherInstanceWakeDelay, once per delay however many rows (migration 0025).")]
public sealed class OtherInstanceWakeTests
{
    private const string Channel = "situk_push_outbox";
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(600);

    private TestDatabase _db = null!;
    private long _userId;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO users (full_name, email, role, password_hash) VALUES ('Asesi Satu', 'asesi-wake@situk.test', 'asesi', 'x') RETURNING id", c);
        _userId = (long)(await insert.ExecuteScalarAsync())!;
    }

    [OneTimeTearDown]
    public async Task DropAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    [Test]
    public async Task The_writing_instance_is_woken_at_once_and_another_only_after_the_delay()
    {
        await using var writer = Instance();
        await using var other = Instance();
        await using var writerListens = await ListenAsync(writer);
        await using var otherListens = await ListenAsync(other);

        await PreferenceWrites.WriteAsync(writer.ConnectionString, _userId, NotificationKinds.AdminMessage, "dari instans ini");
        var committed = Stopwatch.StartNew();

        // Prompt: a NOTIFY on loopback takes milliseconds; a bound far under the delay shows it did not wait for it.
        Assert.That(await writerListens.Signal.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None), Is.True, "the writer's relay was not woken at once");
        var beforeItsDelay = Delay - TimeSpan.FromMilliseconds(200) - committed.Elapsed;
        Assert.That(await otherListens.Signal.WaitAsync(beforeItsDelay > TimeSpan.Zero ? beforeItsDelay : TimeSpan.FromMilliseconds(1), CancellationToken.None),
            Is.False, "the other instance was woken before its delay");
        Assert.That(await otherListens.Signal.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None), Is.True, "the other instance was never woken");
    }

    [Test]
    public async Task Many_rows_from_another_instance_wake_once_per_delay()
    {
        await using var writer = Instance();
        await using var other = Instance();
        await using var otherListens = await ListenAsync(other);

        // Five commits on one connection, each its own NOTIFY, all well inside one delay.
        await using (var c = await writer.OpenConnectionAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                await using var tx = await c.BeginTransactionAsync();
                await NotificationWriter.AddAsync(c, tx, [new NewNotification(_userId, NotificationKinds.AdminMessage, $"baris {i}", "Isi.", "/me")], CancellationToken.None);
                await tx.CommitAsync();
            }
        }

        Assert.That(await otherListens.Signal.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None), Is.True, "the other instance was never woken");
        Assert.That(await otherListens.Signal.WaitAsync(Delay + TimeSpan.FromMilliseconds(400), CancellationToken.None), Is.False, "five writes woke it more than once");
    }

    [Test]
    [Description("psql, a script or a tool writes without situk.instance: an empty payload wakes every instance at once, as before.")]
    public async Task A_write_from_outside_any_instance_wakes_every_instance_at_once()
    {
        await using var other = Instance();
        await using var otherListens = await ListenAsync(other);

        await PreferenceWrites.WriteAsync(_db.ConnectionString, _userId, NotificationKinds.AdminMessage, "dari psql");

        Assert.That(await otherListens.Signal.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None), Is.True);
    }

    [Test]
    public void Each_data_source_gets_its_own_instance_name_and_a_named_one_is_kept()
    {
        var a = new NpgsqlConnectionStringBuilder();
        var b = new NpgsqlConnectionStringBuilder();
        var named = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(a, _db.ConnectionString);
        DatabaseConnections.Configure(b, _db.ConnectionString);
        DatabaseConnections.Configure(named, _db.ConnectionString + ";Options=-c situk.instance=api-east-1");
        Assert.Multiple(() =>
        {
            Assert.That(a.Options, Does.StartWith("-c situk.instance=api-"));
            Assert.That(a.Options, Is.Not.EqualTo(b.Options));
            Assert.That(named.Options, Is.EqualTo("-c situk.instance=api-east-1"));
        });
    }

    private NpgsqlDataSource Instance()
    {
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, _db.ConnectionString);
        return NpgsqlDataSource.Create(builder);
    }

    private static async Task<Listening> ListenAsync(NpgsqlDataSource dataSource)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new RelayOptions { OtherInstanceWakeDelay = Delay });
        var listener = new OutboxListener(dataSource, options, TimeProvider.System, NullLogger<OutboxListener>.Instance);
        var signal = new WakeSignal(TimeProvider.System);
        var stop = new CancellationTokenSource();
        var run = listener.RunAsync(Channel, signal, TimeSpan.FromSeconds(30), stop.Token);

        // The listener sets the signal once when it starts listening; after that only NOTIFYs set it.
        Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), Is.True, "the listener never listened");
        return new Listening(signal, stop, run);
    }

    private sealed record Listening(WakeSignal Signal, CancellationTokenSource Stop, Task Run) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Run.WaitAsync(TimeSpan.FromSeconds(10));
            Stop.Dispose();
        }
    }
}
