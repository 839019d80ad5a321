namespace Situk.Nats;

/// <summary>
/// The last publish or subscription of a connection that the NATS server refused because its user may not make
/// it (<c>-ERR 'Permissions Violation for …'</c>), kept until the connection opens again
/// (<see cref="NatsConnectionSettings.ReportProblems"/> keeps it). The connection stays open through such a refusal,
/// so "connected" alone would call a process ready whose subscriptions the server never took (a broker given the API
/// instances' password: its devices get nothing) or whose publishes it drops. Set: the process is signed in as a user
/// without its role's permissions (eng/nats/situk-roles.conf, docs/cluster.md). On a reconnect every subscription is
/// made again, so the refusal is cleared and, if it still holds, comes back.
/// </summary>
public sealed class NatsRefusals
{
    private string? _last;

    /// <summary>The server's words for the last refusal since the connection last opened; null when there was none.</summary>
    public string? Last => Volatile.Read(ref _last);

    /// <summary>Whether a server error is a refusal of one publish or subscription (not of the sign-in).</summary>
    public static bool IsRefusal(string error) => error.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase);

    internal void Heard(string serverError)
    {
        if (IsRefusal(serverError))
        {
            Volatile.Write(ref _last, serverError);
        }
    }

    internal void Clear() => Volatile.Write(ref _last, null);
}
