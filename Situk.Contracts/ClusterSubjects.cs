using System.Text;

namespace Situk.Contracts;

/// <summary>
/// NATS subjects between API instances and brokers when they run as a cluster (<c>Situk:Nats:Url</c>; see
/// docs/cluster.md and docs/protocol.md). Brokers listen to the subjects of the users they hold sessions
/// for, the three role subjects and the broadcast subject; API instances listen to the <c>situk.api.*</c>
/// subjects in one queue group, so each message reaches exactly one of them.
/// </summary>
public static class ClusterSubjects
{
    /// <summary>Every device session (<c>{"all":true}</c>).</summary>
    public const string All = "situk.all";

    /// <summary>Broker → API, a NATS request: a <c>receipts</c> frame; the API answers (empty) once it has stored it.</summary>
    public const string Receipts = "situk.api.receipts";

    /// <summary>Broker → API: a <c>presence</c> frame.</summary>
    public const string Presence = "situk.api.presence";

    /// <summary>Broker → API: a <c>device-read</c> frame.</summary>
    public const string Reads = "situk.api.reads";

    /// <summary>Broker → API: a <c>written</c> frame.</summary>
    public const string Written = "situk.api.written";

    /// <summary>The queue group every API instance subscribes to the <c>situk.api.*</c> subjects in.</summary>
    public const string ApiQueueGroup = "situk-api";

    /// <summary>
    /// Where a broker's NATS connection takes the replies to its requests (<c>_INBOX.situk-broker.{connection}.{n}</c>), so
    /// the server's permissions can let brokers subscribe to their own inboxes only (eng/nats/situk-roles.conf).
    /// </summary>
    public const string BrokerInboxPrefix = "_INBOX.situk-broker";

    /// <summary>As <see cref="BrokerInboxPrefix"/>, for an API instance's connection (which sends no requests, but the client subscribes its inbox at once).</summary>
    public const string ApiInboxPrefix = "_INBOX.situk-api";

    /// <summary>
    /// <c>situk.user.{id}</c>. An id made only of ASCII letters, digits, <c>_</c> and <c>-</c> (every API user
    /// id) is used as it is; any other is written as <c>x</c> and its UTF-8 bytes in hex, so a token's
    /// <c>sub</c> can never add subject tokens or wildcards.
    /// </summary>
    public static string User(string userId) => "situk.user." + (IsPlain(userId) ? userId : "x" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(userId)));

    /// <summary><c>situk.role.{role}</c> for <c>asesi</c>, <c>asesor</c> or <c>admin</c>.</summary>
    public static string Role(string role) => "situk.role." + role;

    private static bool IsPlain(string id)
    {
        if (id.Length == 0)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Headers of a message on a user, role or broadcast subject (the payload is the device frame itself).</summary>
public static class ClusterHeaders
{
    /// <summary><c>notification</c> (the payload is a <c>notification</c> device frame) or <c>read</c> (a <c>read</c> device frame).</summary>
    public const string Kind = "Situk-Kind";

    /// <summary>The notification id (int64, decimal), for receipts and the session's ack memory.</summary>
    public const string Id = "Situk-Id";

    /// <summary><c>high</c> or <c>normal</c>: which notifications a full session queue sheds first.</summary>
    public const string Priority = "Situk-Priority";

    /// <summary>On a <c>read</c>: the session that read them, which is not told again. Absent: every session.</summary>
    public const string ExceptSession = "Situk-Except-Session";

    public const string KindNotification = "notification";

    public const string KindRead = "read";
}
