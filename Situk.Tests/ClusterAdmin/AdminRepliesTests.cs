using System.Text.Json;
using Situk.Broker.Cluster;
using Situk.Contracts;

namespace Situk.Tests.ClusterAdmin;

/// <summary>A broker's sessions answer always fits in one NATS message: too many rows keep the oldest that fit and count the rest.</summary>
public sealed class AdminRepliesTests
{
    [Test]
    [Description("1,000 session rows against a 20 KiB message limit: the reply fits, keeps the oldest rows in order and counts the ones left out.")]
    public void A_sessions_list_too_long_for_one_message_keeps_the_oldest_rows_that_fit_and_counts_the_rest()
    {
        var start = DateTimeOffset.Parse("2026-12-05T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var sessions = Enumerable.Range(0, 1000)
            .Select(i => new SessionInfo($"session-{i:D4}", $"user-{i}", Roles.Asesi, DeviceClasses.Android, "10.0.0.7", start.AddSeconds(i), 12, 11, 0, "node-b"))
            .ToArray();
        const int limit = 20 * 1024;

        var bytes = AdminReplies.Fit(new AdminAnswer("node-b", Sessions: sessions), limit);
        var reply = JsonSerializer.Deserialize<AdminAnswer>(bytes, AdminJson.Default.AdminAnswer)!;

        Assert.Multiple(() =>
        {
            Assert.That(bytes, Has.Length.LessThanOrEqualTo(limit));
            Assert.That(reply.Sessions, Is.Not.Empty);
            Assert.That(reply.Sessions, Is.EqualTo(sessions[..reply.Sessions!.Length]), "the oldest rows, in order");
            Assert.That(reply.Omitted, Is.EqualTo(sessions.Length - reply.Sessions.Length));
        });
    }

    [Test]
    [Description("A list that fits is sent whole, with nothing counted as left out.")]
    public void A_list_that_fits_is_sent_whole()
    {
        var one = new SessionInfo("s", "u", Roles.Asesi, DeviceClasses.Web, null, DateTimeOffset.UnixEpoch, 0, 0, 0, "node-a");

        var reply = JsonSerializer.Deserialize<AdminAnswer>(AdminReplies.Fit(new AdminAnswer("node-a", Sessions: [one]), 1024 * 1024), AdminJson.Default.AdminAnswer)!;

        Assert.That((reply.Sessions, reply.Omitted), Is.EqualTo((new[] { one }, (int?)null)).Using<(SessionInfo[]?, int?)>((x, y) => x.Item1!.SequenceEqual(y.Item1!) && x.Item2 == y.Item2));
    }
}
