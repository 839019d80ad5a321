namespace Situk.Broker.Cluster;

/// <summary>
/// Messages this broker received from NATS on user subjects and on role/broadcast subjects, for
/// <c>GET /admin/stats</c>-style checks: a broker holding no session of a user receives nothing for that user.
/// </summary>
internal sealed class ClusterCounters
{
    private long _userMessages;
    private long _audienceMessages;

    public long UserMessages => Interlocked.Read(ref _userMessages);

    public long AudienceMessages => Interlocked.Read(ref _audienceMessages);

    public void Received(bool userSubject)
    {
        if (userSubject)
        {
            Interlocked.Increment(ref _userMessages);
        }
        else
        {
            Interlocked.Increment(ref _audienceMessages);
        }
    }
}
