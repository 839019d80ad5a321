using System.Text.Json;
using System.Text.Json.Serialization;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

/// <summary>
/// The management operations every broker of a cluster answers, each on its own subject
/// <c>situk.admin.{op}</c> (docs/protocol.md, "Cluster subjects").
/// </summary>
internal static class AdminOps
{
    public const string Sessions = "sessions";
    public const string Stats = "stats";
    public const string KickSession = "kick-session";
    public const string KickUser = "kick-user";
    public const string KickSignIn = "kick-signin";

    /// <summary>An ephemeral admin publish: each broker delivers it to its own sessions of the audience and counts them.</summary>
    public const string Publish = "publish";

    /// <summary>Every broker publishes <see cref="Heartbeat"/> (no reply) so the others know it exists.</summary>
    public const string HeartbeatSubject = "situk.admin.heartbeat";

    /// <summary>
    /// A broker stopping cleanly publishes <see cref="AdminHeartbeat"/> here once, after its last heartbeat, so the
    /// others stop expecting it at once instead of naming it missing until <c>AdminNodeTtl</c> passes.
    /// </summary>
    public const string GoodbyeSubject = "situk.admin.goodbye";

    /// <summary>What every broker subscribes to: the operations, the heartbeats and the goodbyes.</summary>
    public const string Wildcard = "situk.admin.*";

    /// <summary>Header naming the asking broker's process (a random id), so a broker never answers itself over NATS.</summary>
    public const string FromHeader = "Situk-Admin-From";

    public static readonly string[] All = [Sessions, Stats, KickSession, KickUser, KickSignIn, Publish];

    public static string Subject(string op) => "situk.admin." + op;
}

/// <summary>
/// A management request: the fields its operation needs (<c>userId</c> for sessions and user kicks, <c>sessionId</c>,
/// <c>signInId</c>; for a publish the audience and the notification, id and time already given by the asking broker).
/// </summary>
internal sealed record AdminQuery(
    string? UserId = null, string? SessionId = null, string? SignInId = null, Audience? To = null, PushNotification? Notification = null);

/// <summary>
/// One broker's answer: its node name and the part of the answer it holds. <see cref="Omitted"/>: session rows
/// left out because the list would not fit in one NATS message (<see cref="AdminReplies"/>).
/// </summary>
/// <see cref="Delivered"/>: the sessions a publish was queued to.
internal sealed record AdminAnswer(
    string Node, SessionInfo[]? Sessions = null, int? Closed = null, BrokerStats? Stats = null, int? Omitted = null, int? Delivered = null);

/// <summary>A broker announcing itself on <see cref="AdminOps.HeartbeatSubject"/>, or its leaving on <see cref="AdminOps.GoodbyeSubject"/>.</summary>
internal sealed record AdminHeartbeat(string Node);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 16)]
[JsonSerializable(typeof(AdminQuery))]
[JsonSerializable(typeof(AdminAnswer))]
[JsonSerializable(typeof(AdminHeartbeat))]
internal sealed partial class AdminJson : JsonSerializerContext;

/// <summary>The answers collected for one management request (the asking broker's first) and the brokers that did not answer in time.</summary>
internal sealed record Gathered(IReadOnlyList<AdminAnswer> Answers, string[] Missing);
