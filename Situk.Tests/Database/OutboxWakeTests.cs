using Npgsql;
using Situk.Contracts;
using Situk.Tests.Preferences;
using Situk.Tests.Support;

namespace Situk.Tests.Database;

[Description("The outbox tables wake their listener (push relay, email relay, digest sweeper) only when the writing statement gave them rows: a notification that only goes by push wakes only the push relay.")]
public sealed class OutboxWakeTests
{
    private static readonly string[] Channels = ["situk_push_outbox", "situk_email_outbox", "situk_digest_items"];

    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _api = await ApiFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Test]
    public async Task A_push_only_notification_wakes_only_the_push_relay()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        Assert.That(await WokenByAsync(() => PreferenceWrites.WriteAsync(_api.ConnectionString, asesi.Id, NotificationKinds.AdminMessage, "push only")),
            Is.EquivalentTo(new[] { "situk_push_outbox" }));
    }

    [Test]
    public async Task A_notification_that_is_also_emailed_wakes_both_relays_and_not_the_digest_sweeper()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        Assert.That(await WokenByAsync(() => PreferenceWrites.WriteAsync(_api.ConnectionString, asesi.Id, NotificationKinds.CertificateExpiring, "push and email")),
            Is.EquivalentTo(new[] { "situk_push_outbox", "situk_email_outbox" }));
    }

    [Test]
    [Description("registration.submitted is digested for admins (Situk:Digests:Kinds): its copy gets a digest item and no outbox rows.")]
    public async Task A_digested_notification_wakes_only_the_digest_sweeper()
    {
        var admin = await _api.CreateUserAsync(Roles.Admin);
        Assert.That(await WokenByAsync(() => PreferenceWrites.WriteAsync(_api.ConnectionString, admin.Id, NotificationKinds.RegistrationSubmitted, "digested")),
            Is.EquivalentTo(new[] { "situk_digest_items" }));
    }

    /// <summary>
    /// The channels notified by the transaction <paramref name="write"/> commits. PostgreSQL delivers one
    /// transaction's notifications together at its commit, so once the first arrives the rest have too; a
    /// short second wait catches any straggler from another session's write (none run here).
    /// </summary>
    private async Task<List<string>> WokenByAsync(Func<Task> write)
    {
        await using var listener = new NpgsqlConnection(_api.ConnectionString);
        await listener.OpenAsync();
        var woken = new List<string>();
        listener.Notification += (_, e) => woken.Add(e.Channel);
        foreach (var channel in Channels)
        {
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", listener);
            await listen.ExecuteNonQueryAsync();
        }

        await write();
        Assert.That(await listener.WaitAsync(TimeSpan.FromSeconds(5)), Is.True, "the commit woke something");
        while (await listener.WaitAsync(TimeSpan.FromMilliseconds(200)))
        {
        }

        return woken;
    }
}
