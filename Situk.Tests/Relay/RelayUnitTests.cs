using Situk.Api.Relay;
using Situk.Contracts;

namespace Situk.Tests.Relay;

public sealed class RelayUnitTests
{
    [Test]
    public void Backoff_grows_with_attempts_and_stays_under_its_cap()
    {
        var baseDelay = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(30);
        Assert.Multiple(() =>
        {
            Assert.That(Backoff.ForAttempt(1, baseDelay, cap), Is.InRange(TimeSpan.FromMilliseconds(500), baseDelay));
            Assert.That(Backoff.ForAttempt(4, baseDelay, cap), Is.InRange(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)));
            Assert.That(Backoff.ForAttempt(1000, baseDelay, cap), Is.InRange(TimeSpan.FromSeconds(15), cap));
        });
    }

    [Test]
    [Description("Negative ids are the broker's ephemeral publishes; user ids are bigints as strings.")]
    public void Receipts_with_negative_ids_or_foreign_user_ids_are_dropped_before_the_database()
    {
        var at = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(ReceiptWriter.Validate(new Receipt(-3, "7", "s1", "web", at)), Is.Null);
            Assert.That(ReceiptWriter.Validate(new Receipt(3, "not-a-number", "s1", "web", at)), Is.Null);
            Assert.That(ReceiptWriter.Validate(new Receipt(3, "7", "", "web", at)), Is.Null);
            Assert.That(ReceiptWriter.Validate(new Receipt(3, "7", "s1", "toaster", at)), Is.EqualTo(new ValidReceipt(3, 7, "s1", "other", at.UtcDateTime)));
        });
    }

    [Test]
    [Description("The broker's write time travels with the receipt to the delivery_receipts row (the timeline's written step).")]
    public void A_receipt_keeps_when_the_broker_wrote_the_frame()
    {
        var written = DateTimeOffset.Parse("2026-01-02T03:04:05.001+07:00", System.Globalization.CultureInfo.InvariantCulture);
        var acked = written.AddMilliseconds(4);
        Assert.Multiple(() =>
        {
            Assert.That(ReceiptWriter.Validate(new Receipt(3, "7", "s1", "web", acked, written))?.WrittenAtUtc, Is.EqualTo(written.UtcDateTime));
            Assert.That(ReceiptWriter.Validate(new Receipt(3, "7", "s1", "web", acked))?.WrittenAtUtc, Is.Null);
        });
    }
}
