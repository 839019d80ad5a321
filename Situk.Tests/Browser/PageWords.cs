using System.Text.Json;
using System.Text.RegularExpressions;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

/// <summary>
/// The words files of a page as the repository holds them: the shared <c>pagetext-&lt;language&gt;.json</c>
/// merged with the page's own <c>&lt;page&gt;-&lt;language&gt;.json</c>, as <c>pagetext.js</c> loads them.
/// </summary>
public static partial class PageWords
{
    public static readonly string[] Languages = ["id", "en"];

    private const string Shared = "Situk.Broker/wwwroot/pagetext";

    /// <summary>Every key → text a page has in <paramref name="language"/>; <paramref name="page"/> is e.g. "Situk.Broker/wwwroot/device".</summary>
    public static Dictionary<string, string> Load(string page, string language)
    {
        var words = Read($"{Shared}-{language}.json");
        foreach (var (key, text) in Read($"{page}-{language}.json"))
        {
            words[key] = text;
        }

        return words;
    }

    /// <summary>
    /// The keys a page's script (and, when it mounts it, the settings control's) names: string literals shaped
    /// like keys, and the keys it builds from a name (state.*, device.*, recent.email.*, settings.language.*, settings.zone.*).
    /// </summary>
    public static IEnumerable<string> ScriptKeys(string page)
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, page + ".js"));
        var keys = Literals(script);
        if (script.Contains("mountLocaleSettings", StringComparison.Ordinal))
        {
            keys = keys.Concat(Literals(File.ReadAllText(Path.Combine(RepoPaths.Root, Shared + "-settings.js"))))
                .Concat(["settings.language.id", "settings.language.en", "settings.zone.wib", "settings.zone.wita", "settings.zone.wit"]);
        }

        if (script.Contains("`state.${", StringComparison.Ordinal))
        {
            keys = keys.Concat(new[] { "idle", "connecting", "open", "reconnecting", "closed", "stopped", "signedout" }.Select(s => "state." + s));
        }

        if (script.Contains("`device.${", StringComparison.Ordinal))
        {
            keys = keys.Concat(new[] { "web", "android", "ios", "desktop", "other" }.Select(d => "device." + d));
        }

        if (script.Contains("`recent.email.${", StringComparison.Ordinal))
        {
            keys = keys.Concat(new[] { "none", "pending", "sent", "failed" }.Select(e => "recent.email." + e));
        }

        return keys;
    }

    private static IEnumerable<string> Literals(string script) =>
        KeyLiteral().Matches(script).Concat(SayCall().Matches(script))
            .Select(m => m.Groups[1].Value).Where(k => !k.StartsWith("situk.", StringComparison.Ordinal)).ToArray();

    private static Dictionary<string, string> Read(string file) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(RepoPaths.Root, file)))!;

    [GeneratedRegex("""["'`]([a-z][a-zA-Z]*(?:\.[a-zA-Z][a-zA-Z0-9]*)+)["'`]""")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex("""say\(\s*["'`]([\w.]+)["'`]""")]
    private static partial Regex SayCall();
}
