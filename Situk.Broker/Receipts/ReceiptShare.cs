namespace Situk.Broker.Receipts;

/// <summary>
/// One session's room in the broker's receipt queue: <c>ReceiptShare</c> receipts at most. A slot is taken
/// before a receipt is queued and given back when the batcher takes it out, so a device acking faster than
/// receipts reach the API waits — its receive loop stops reading its socket — instead of filling the queue
/// that every other session's receipts go through.
/// </summary>
internal sealed class ReceiptShare(int size)
{
    private readonly SemaphoreSlim _slots = new(size, size);

    /// <summary>Takes a free slot without waiting; false when the session holds its whole share.</summary>
    public bool TryTake() => _slots.Wait(0);

    /// <summary>Waits for a free slot.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>The batcher took one of this session's receipts.</summary>
    public void Release() => _slots.Release();
}
