using System.Text.Json;
using Situk.Contracts;

namespace Situk.Broker.Internal;

/// <summary>
/// Every connected API link, as a copy-on-write array (links come and go rarely; they are read on every
/// presence change and receipt batch). Frames are serialised once and queued to each link; queuing never
/// waits, so a slow API never holds up devices.
/// </summary>
internal sealed class LinkRegistry
{
    private readonly Lock _gate = new();
    private InternalLink[] _links = [];

    public int Count => All.Length;

    public InternalLink[] All => Volatile.Read(ref _links);

    public void Add(InternalLink link)
    {
        lock (_gate)
        {
            Volatile.Write(ref _links, [.. _links, link]);
        }
    }

    public bool Remove(InternalLink link)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_links, link);
            if (index < 0)
            {
                return false;
            }

            Volatile.Write(ref _links, [.. _links[..index], .. _links[(index + 1)..]]);
            return true;
        }
    }

    /// <summary>Announces a presence change (held back on links still syncing).</summary>
    public void Presence(PresenceFrame frame)
    {
        var links = All;
        if (links.Length == 0)
        {
            return;
        }

        var bytes = Serialize(frame);
        foreach (var link in links)
        {
            link.SendPresence(bytes);
        }
    }

    /// <summary>Queues <paramref name="frame"/> to every link.</summary>
    public void Broadcast(InternalFrame frame)
    {
        var links = All;
        if (links.Length == 0)
        {
            return;
        }

        var bytes = Serialize(frame);
        foreach (var link in links)
        {
            link.Send(bytes);
        }
    }

    public static byte[] Serialize(InternalFrame frame) =>
        JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.InternalFrame);
}
