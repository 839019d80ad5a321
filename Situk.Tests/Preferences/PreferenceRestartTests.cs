using System.Net;
using System.Net.Http.Json;
using System.Text;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Preferences;

[Description("The writer reads the stored preferences when it writes: a switch applies to every notification written after it, survives an API restart, and never touches the inbox or the mandatory emails.")]
[NonParallelizable]
public sealed class PreferenceRestartTests
{
    [Test]
    [Description("Push and email of the groups switched off, then a restart, then switched back on: each notification's outbox rows follow the choice stored when it was written.")]
    public async Task A_preference_switched_off_and_back_on_across_a_restart_applies_to_what_is_written_after_it()
    {
        await using var first = await ApiFixture.StartAsync();
        var asesi = await first.CreateUserAsync(Roles.Asesi);
        var before = await MessageAsync(first, asesi, "before");
        var expiringBefore = await PreferenceWrites.WriteAsync(first.ConnectionString, asesi.Id, NotificationKinds.CertificateExpiring, "expiring-before");

        await PutAsync(asesi.Client, false);
        var whileOff = await MessageAsync(first, asesi, "while-off");
        var expiringOff = await PreferenceWrites.WriteAsync(first.ConnectionString, asesi.Id, NotificationKinds.CertificateExpiring, "expiring-off");
        await first.App.StopAsync();

        await using var second = await ApiFixture.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Situk"] = first.ConnectionString });
        var client = second.CreateClient(asesi.Id, Roles.Asesi);
        var stored = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/me/preferences");
        var afterRestart = await MessageAsync(second, asesi, "after-restart");
        await PutAsync(client, true);
        var backOn = await MessageAsync(second, asesi, "back-on");
        var expiringOn = await PreferenceWrites.WriteAsync(second.ConnectionString, asesi.Id, NotificationKinds.CertificateExpiring, "expiring-on");

        var messages = stored.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == "messages");
        Assert.Multiple(async () =>
        {
            Assert.That(messages.GetProperty("push").GetBoolean(), Is.False, "still off after the restart");
            Assert.That(await PreferenceWrites.RowsAsync(second, before), Is.EqualTo((1L, 1L, 0L)));
            Assert.That(await PreferenceWrites.RowsAsync(second, whileOff), Is.EqualTo((1L, 0L, 0L)), "inbox only");
            Assert.That(await PreferenceWrites.RowsAsync(second, afterRestart), Is.EqualTo((1L, 0L, 0L)), "inbox only after the restart");
            Assert.That(await PreferenceWrites.RowsAsync(second, backOn), Is.EqualTo((1L, 1L, 0L)));
            Assert.That(await PreferenceWrites.RowsAsync(second, expiringBefore), Is.EqualTo((1L, 1L, 1L)));
            Assert.That(await PreferenceWrites.RowsAsync(second, expiringOff), Is.EqualTo((1L, 1L, 0L)), "email off, push on");
            Assert.That(await PreferenceWrites.RowsAsync(second, expiringOn), Is.EqualTo((1L, 1L, 1L)));
        });
    }

    [Test]
    [Description("A stored 'email off' for a mandatory group (written by hand: the API refuses it) does not stop the email of a kind that decides a certification.")]
    public async Task A_mandatory_kind_is_emailed_whatever_is_stored()
    {
        await using var api = await ApiFixture.StartAsync();
        var asesi = await api.CreateUserAsync(Roles.Asesi);
        await api.ScalarAsync<int>(
            "INSERT INTO notification_preferences (user_id, kind_group, push, email) VALUES (@id, 'verdict', false, false) RETURNING 1", ("id", asesi.Id));

        var verdict = await PreferenceWrites.WriteAsync(api.ConnectionString, asesi.Id, NotificationKinds.VerdictCompetent, "verdict");

        Assert.That(await PreferenceWrites.RowsAsync(api, verdict), Is.EqualTo((1L, 0L, 1L)), "push follows the choice, email does not");
    }

    [Test]
    [Description("A kind named in Situk:Notifications:MandatoryEmailKinds locks its group: GET names it, PUT is 422, and an 'email off' stored before it was named is switched back on at start.")]
    public async Task A_configured_mandatory_kind_locks_its_group_and_reopens_what_was_stored()
    {
        await using var first = await ApiFixture.StartAsync();
        var asesi = await first.CreateUserAsync(Roles.Asesi);
        using var off = await asesi.Client.PutAsync("api/v1/me/preferences", Json("""{"groups":[{"group":"certificate-status","push":true,"email":false}]}"""));
        Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await first.App.StopAsync();

        await using var second = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Situk"] = first.ConnectionString,
            ["Situk:Notifications:MandatoryEmailKinds:0"] = NotificationKinds.CertificateRevoked,
        });
        var client = second.CreateClient(asesi.Id, Roles.Asesi);
        var groups = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/me/preferences");
        using var refused = await client.PutAsync("api/v1/me/preferences", Json("""{"groups":[{"group":"certificate-status","push":true,"email":false}]}"""));
        var revoked = await PreferenceWrites.WriteAsync(second.ConnectionString, asesi.Id, NotificationKinds.CertificateRevoked, "revoked");

        var group = groups.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == "certificate-status");
        Assert.Multiple(async () =>
        {
            Assert.That(group.GetProperty("emailLockedBy").GetString(), Is.EqualTo(NotificationKinds.CertificateRevoked));
            Assert.That(group.GetProperty("email").GetBoolean(), Is.True);
            Assert.That(await second.ScalarAsync<bool>(
                "SELECT email FROM notification_preferences WHERE user_id = @id AND kind_group = 'certificate-status'", ("id", asesi.Id)), Is.True);
            Assert.That((int)refused.StatusCode, Is.EqualTo(422));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain(NotificationKinds.CertificateRevoked));
            Assert.That(await PreferenceWrites.RowsAsync(second, revoked), Is.EqualTo((1L, 1L, 1L)));
        });
    }

    [Test]
    public void A_mandatory_email_kind_that_does_not_exist_stops_the_start()
    {
        var refused = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ApiFixture.StartAsync(
            new Dictionary<string, string?> { ["Situk:Notifications:MandatoryEmailKinds:0"] = "verdict.maybe" }));

        Assert.That(refused!.Message, Does.Contain("verdict.maybe"));
    }

    private static async Task<long> MessageAsync(ApiFixture api, TestUser to, string title)
    {
        using var sent = await api.Admin.Client.PostAsJsonAsync("api/v1/notifications", new { to = new { userIds = new[] { to.Id } }, title, body = "Pesan uji." });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await sent.Content.ReadAsStringAsync());
        return await api.ScalarAsync<long>("SELECT id FROM notifications WHERE user_id = @u AND title = @t", ("u", to.Id), ("t", title));
    }

    private static async Task PutAsync(HttpClient client, bool on)
    {
        var value = on ? "true" : "false";
        using var response = await client.PutAsync("api/v1/me/preferences", Json(
            $$"""{"groups":[{"group":"messages","push":{{value}},"email":{{value}}},{"group":"certificate-status","push":true,"email":{{value}}}]}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
