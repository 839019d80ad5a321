using System.Text.RegularExpressions;
using Situk.Api.Errors;
using Situk.Api.Texts;
using Situk.Tests.Support;

namespace Situk.Tests.Texts;

[Description("Every problem text (Texts/problems.*.json) rendered in both languages: a placeholder one language names and the "
    + "other does not, a placeholder left unfilled or a value no text names fails here, before an LSP's edit reaches a reader.")]
public sealed partial class ProblemTextsTests
{
    private static readonly TextCatalog Catalog = TextCatalog.Embedded;

    private static IEnumerable<string> ProblemKeys() => Catalog.Keys("id").Where(k => k.StartsWith("problem.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    [Test]
    public void There_are_problem_texts_in_both_languages()
    {
        Assert.That(ProblemKeys().Count(), Is.GreaterThan(100));
        Assert.That(Catalog.Keys("en").Count(k => k.StartsWith("problem.", StringComparison.Ordinal)), Is.EqualTo(ProblemKeys().Count()));
    }

    [TestCaseSource(nameof(ProblemKeys))]
    public void Both_languages_name_the_same_values_and_render_with_them(string key)
    {
        var names = Catalog.Placeholders("id", key);
        Assert.That(Catalog.Placeholders("en", key), Is.EquivalentTo(names), "a value one language names and the other does not");

        var values = names.ToDictionary(n => n, n => (object?)$"<{n}>", StringComparer.Ordinal);
        foreach (var language in TextCatalog.Languages)
        {
            var text = Catalog.Render(Locale.For(language, Locale.DefaultZoneId), key, values);
            Assert.That(text, Is.Not.Empty);
            foreach (var name in names)
            {
                Assert.That(text, Does.Contain($"<{name}>"), $"{language}: {{{name}}} filled");
            }

            Assert.That(PlaceholderLeft().IsMatch(text.Replace("{group, push, email}", string.Empty, StringComparison.Ordinal)), Is.False, $"{language}: {text}");
        }

        Assert.That(Catalog.Template("id", key), Does.Not.Match(@"\b[Kk]amu\b"), "the formal register: Anda");
    }

    [Test]
    [Description("Every code a handler names in Situk.Api has its text: a typo would turn a refusal into a 500.")]
    public void Every_code_the_api_names_has_a_text()
    {
        var source = Path.Combine(RepoPaths.Root, "Situk.Api");
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!RaisesProblem().IsMatch(lines[i]))
                {
                    continue;
                }

                foreach (Match code in CodeLiteral().Matches(lines[i]))
                {
                    var key = ProblemText.KeyOf(code.Groups["code"].Value);
                    if (!Catalog.Has("id", key) && !code.Groups["code"].Value.StartsWith("records.missing_", StringComparison.Ordinal))
                    {
                        missing.Add($"{Path.GetRelativePath(source, file)}:{i + 1} {key}");
                    }
                }
            }
        }

        Assert.That(missing, Is.Empty);
        Assert.That(Catalog.Has("id", "problem.records.missing_observation") && Catalog.Has("id", "problem.records.missing_portfolio"), Is.True);
    }

    // A line that names a problem's code: a Problems.* or EvidenceProblems.* call, a field text, or a code-returning helper.
    [GeneratedRegex(@"Problems\.\w+\(|EvidenceProblems\.|Fail\(|Refused\(|BeforeAssessment\(|=> ""(refresh|account)\.|return \(""|: \(\w+, ""|\(""body"", """, RegexOptions.CultureInvariant)]
    private static partial Regex RaisesProblem();

    [GeneratedRegex(@"(?<!Invalid\()""(?<code>[a-z][a-z0-9_]*(\.[a-z0-9_]+)+)""", RegexOptions.CultureInvariant)]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"\{[A-Za-z]+\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderLeft();
}
