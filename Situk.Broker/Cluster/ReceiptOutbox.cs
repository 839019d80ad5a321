namespace Situk.Broker.Cluster;

/// <summary>
/// Receipt batches handed to NATS and not yet answered by an API instance, oldest first, bounded in bytes:
/// a batch is kept until one API instance has stored it. Adding waits while the batches held reach
/// <c>ReceiptBacklogBytes</c> (a batch larger than the bound still goes into an empty outbox), so a cluster
/// whose API instances are all away or slow holds receipts here and slows the devices acking, never loses
/// them and never grows without bound.
/// </summary>
internal sealed class ReceiptOutbox(long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly Queue<byte[]> _batches = new();
    private long _bytes;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Bytes held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public async ValueTask AddAsync(byte[] batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_batches.Count == 0 || _bytes + batch.Length <= maxBytes)
                {
                    _batches.Enqueue(batch);
                    _bytes += batch.Length;
                    Signal();
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The oldest batch, left in place until <see cref="Remove"/>; waits while there is none.</summary>
    public async ValueTask<byte[]> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_batches.TryPeek(out var batch))
                {
                    return batch;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>An API instance stored the oldest batch.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            if (_batches.TryDequeue(out var batch))
            {
                _bytes -= batch.Length;
                Signal();
            }
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
