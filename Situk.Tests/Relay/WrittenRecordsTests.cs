using Situk.Api.Relay;
using Situk.Contracts;

namespace Situk.Tests.Relay;

[Description("The API's side of written records: checked before they reach PostgreSQL, and never waited for: a full queue drops and counts.")]
public sealed class WrittenRecordsTests
{
    [Test]
    public void Records_that_name_nothing_stored_are_ignored()
    {
        var at = DateTimeOffset.Parse("2026-03-01T08:00:00+07:00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(WrittenWriter.Validate(new Written(-3, "7", "s1", "web", at)), Is.Null, "ephemeral publish");
            Assert.That(WrittenWriter.Validate(new Written(3, "not-a-number", "s1", "web", at)), Is.Null);
            Assert.That(WrittenWriter.Validate(new Written(3, "7", "", "web", at)), Is.Null);
            Assert.That(WrittenWriter.Validate(new Written(3, "7", new string('s', 101), "web", at)), Is.Null);
            Assert.That(WrittenWriter.Validate(new Written(3, "7", "s1", "toaster", at)), Is.EqualTo(new ValidWritten(3, 7, "s1", "other", at.UtcDateTime)));
        });
    }

    [Test]
    public void A_full_queue_drops_the_batch_and_counts_its_records()
    {
        var inbox = new WrittenInbox();
        var batch = new[] { new Written(1, "7", "s1", "web", DateTimeOffset.UnixEpoch), new Written(2, "7", "s1", "web", DateTimeOffset.UnixEpoch) };
        for (var i = 0; i < WrittenInbox.Capacity; i++)
        {
            Assert.That(inbox.Offer(batch), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(inbox.Offer(batch), Is.False);
            Assert.That(inbox.Dropped, Is.EqualTo(2));
        });
    }
}
