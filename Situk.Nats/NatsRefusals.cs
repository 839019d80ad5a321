using NATS.Client.Core;

namespace Situk.Nats;

/// <summary>
/// The last publish or subscription of this connection that the NATS server refused because its user may not make
/// it (<c>-ERR 'Permissions Violation for …'</c>), kept until the connection opens again. The connection stays open
/// through such a refusal, so "connected" alone would call a process ready whose subscriptions the server never took
/// (a broker given the API instances' password: its devices get nothing) or whose publishes it drops. Set: the
/// process is signed in as a user without its role's permissions (eng/nats/situk-roles.conf, docs/cluster.md).
/// On a reconnect every subscription is made again, so the refusal is cleared and, if it still holds, comes back.
/// </summary>
public sealed class NatsRefusals
{
    private string? _last;

    /// <summary>The server's words for the last refusal since the connection last opened; null when there was none.</summary>
    public string? Last => Volatile.Read(ref _last);

    /// <summary>Whether a server error is a refusal of one publish or subscription (not of the sign-in).</summary>
    public static bool IsRefusal(string error) => error.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps <paramref name="connection"/>'s refusals from now on (each is also a server error, which <see cref="NatsConnectionSettings.ReportProblems"/> reports).</summary>
    public void Watch(NatsConnection connection)
    {
        connection.ServerError += (_, args) =>
        {
            if (IsRefusal(args.Error))
            {
                Volatile.Write(ref _last, args.Error);
            }

            return ValueTask.CompletedTask;
        };
        connection.ConnectionOpened += (_, _) =>
        {
            Volatile.Write(ref _last, null);
            return ValueTask.CompletedTask;
        };
    }
}
