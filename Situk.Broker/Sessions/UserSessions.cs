namespace Situk.Broker.Sessions;

/// <summary>
/// One user's sessions, oldest first. Changed only under <see cref="Gate"/>; read without any lock through
/// the copy-on-write <see cref="Sessions"/> array, so the send path never waits. A bucket emptied by its
/// last removal is marked <see cref="Dead"/> and taken out of the registry; an add that finds a dead
/// bucket retries with a fresh one.
/// </summary>
internal sealed class UserSessions
{
    private Session[] _sessions = [];

    public Lock Gate { get; } = new();

    public bool Dead { get; set; }

    public Session[] Sessions
    {
        get => Volatile.Read(ref _sessions);
        set => Volatile.Write(ref _sessions, value);
    }
}
