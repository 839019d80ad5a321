using Situk.Broker.Cluster;

namespace Situk.Tests.Cluster;

public sealed class ReceiptOutboxTests
{
    [Test]
    [CancelAfter(10_000)]
    [Description("Receipts waiting for an API answer are bounded in bytes: past the bound adding waits until the oldest batch is stored, oldest first.")]
    public async Task Adding_past_the_byte_bound_waits_until_the_oldest_batch_is_stored(CancellationToken ct)
    {
        var outbox = new ReceiptOutbox(maxBytes: 100);
        var first = new byte[60];
        var second = new byte[60];
        await outbox.AddAsync(first, ct);

        var adding = outbox.AddAsync(second, ct).AsTask();
        await Task.Delay(200, ct);
        Assert.That(adding.IsCompleted, Is.False, "a batch past the byte bound was taken at once");
        Assert.That(outbox.Bytes, Is.EqualTo(60));

        Assert.That(await outbox.PeekAsync(ct), Is.SameAs(first));
        outbox.Remove();
        await adding.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.That(await outbox.PeekAsync(ct), Is.SameAs(second));
        Assert.That(outbox.Bytes, Is.EqualTo(60));
    }

    [Test]
    [CancelAfter(10_000)]
    [Description("A batch larger than the whole bound still goes through an empty outbox, so one big batch never stalls forever.")]
    public async Task A_batch_larger_than_the_bound_goes_into_an_empty_outbox(CancellationToken ct)
    {
        var outbox = new ReceiptOutbox(maxBytes: 10);
        await outbox.AddAsync(new byte[50], ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.That(outbox.Bytes, Is.EqualTo(50));
    }
}
