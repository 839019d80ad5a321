namespace Situk.Client;

/// <summary>The most recent notification ids seen, bounded: the oldest is forgotten first.</summary>
internal sealed class SeenIds(int capacity)
{
    private readonly HashSet<long> _set = [];
    private readonly Queue<long> _order = new();

    public bool Contains(long id) => _set.Contains(id);

    /// <summary>True when the id is new (and now remembered); false for a duplicate.</summary>
    public bool Add(long id)
    {
        if (!_set.Add(id))
        {
            return false;
        }

        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }

        return true;
    }
}
