using Microsoft.Extensions.Logging;
using Situk.Broker.Cluster;
using Situk.Broker.Devices;
using Situk.Broker.Fanout;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>
/// The management operations on this broker's own sessions: what a single broker answers, and what each broker
/// of a cluster answers to the <c>situk.admin.*</c> requests (<see cref="ClusterAdmin"/>).
/// </summary>
internal sealed class LocalAdmin(SessionRegistry registry, Publisher publisher, BrokerMetrics metrics, BrokerNode node, ILogger<DeviceEndpoint> logger)
{
    public string Node => node.Name;

    public AdminAnswer Answer(string op, AdminQuery query) => op switch
    {
        AdminOps.Sessions => new AdminAnswer(Node, Sessions: Sessions(query.UserId)),
        AdminOps.Stats => new AdminAnswer(Node, Stats: Stats()),
        AdminOps.KickSession => new AdminAnswer(Node, Closed: KickSession(query.SessionId ?? "")),
        AdminOps.KickUser => new AdminAnswer(Node, Closed: KickUser(query.UserId ?? "")),
        AdminOps.KickSignIn => new AdminAnswer(Node, Closed: SignOut(query.UserId ?? "", query.SignInId ?? "")),
        AdminOps.Publish => new AdminAnswer(Node, Delivered: Publish(query.To, query.Notification)),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a management operation."),
    };

    private SessionInfo[] Sessions(string? userId) =>
        ((IEnumerable<Session>)(userId is null ? registry.All : registry.ForUser(userId)))
            .OrderBy(s => s.ConnectedAt)
            .Select(s => s.ToInfo() with { Node = Node })
            .ToArray();

    private BrokerStats Stats() => metrics.Snapshot(registry.Count, registry.UserCount) with { Node = Node };

    /// <summary>
    /// The sessions of the audience on this broker that took the notification; 0 for a request without an
    /// audience that names exactly one target or without a notification (not from a broker of this version).
    /// </summary>
    private int Publish(Audience? to, PushNotification? notification) =>
        to is not null && to.Problem() is null && notification is { Id: < 0 } ? publisher.Publish(to, notification) : 0;

    /// <summary>1 when this broker holds the session (already closing counts too), else 0.</summary>
    private int KickSession(string sessionId)
    {
        if (registry.Find(sessionId) is not { } session)
        {
            return 0;
        }

        session.Close(CloseCodes.KickedByAdmin, "closed by an admin");
        return 1;
    }

    private int KickUser(string userId) =>
        registry.ForUser(userId).Count(s => s.Close(CloseCodes.KickedByAdmin, "closed by an admin"));

    /// <summary>
    /// The user signed out one device sign-in (token <c>sid</c>): its sessions close with 4004, the user's
    /// other sessions stay. Found through the user's index (at most <c>MaxSessionsPerUser</c> sessions).
    /// </summary>
    private int SignOut(string userId, string signInId)
    {
        var closed = registry.ForUser(userId)
            .Where(s => string.Equals(s.SignInId, signInId, StringComparison.Ordinal))
            .Count(s => s.Close(CloseCodes.SignedOut, "signed out"));
        DeviceEndpointLog.SignedOut(logger, userId, signInId, closed);
        return closed;
    }
}
