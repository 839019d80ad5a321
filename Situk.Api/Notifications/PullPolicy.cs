using Microsoft.Extensions.Options;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Notifications;

/// <summary>
/// Applies <see cref="PullOptions"/>: turns a notification of a pull kind into its neutral notice for
/// the broker and its neutral email. The inbox (REST, authenticated) keeps the full words.
/// </summary>
public sealed class PullPolicy(IOptions<PullOptions> options)
{
    public bool IsPull(string kind) => options.Value.Pull.TryGetValue(kind, out var pull) && pull;

    /// <summary>
    /// The notification as it may travel through the broker: itself, or its neutral notice, titled in the
    /// recipient's <paramref name="language"/> (<c>pull.title.*</c> texts).
    /// </summary>
    public PushNotification ForPush(PushNotification n, string language) => IsPull(n.Kind)
        ? n with { Kind = Family(n.Kind), Title = NeutralTitle(TextCatalog.Embedded, language, n.Kind), Body = "", Data = null, Pull = true }
        : n;

    /// <summary>The kind without what follows the dot: <c>verdict.competent</c> → <c>verdict</c>; the full kind names the result.</summary>
    public static string Family(string kind) => kind.Split('.', 2)[0];

    /// <summary>Words that say something is waiting, and nothing of what: a result for a verdict, else "a new notification".</summary>
    public static string NeutralTitle(TextCatalog texts, string language, string kind) =>
        texts.Template(language, Family(kind) == "verdict" ? "pull.title.verdict" : "pull.title.other");
}
