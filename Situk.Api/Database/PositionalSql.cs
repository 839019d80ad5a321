using System.Globalization;
using System.Text.RegularExpressions;

namespace Situk.Api.Database;

/// <summary>
/// A statement written with <c>@name</c> parameters, turned once into the <c>$1, $2, …</c> form PostgreSQL takes.
/// Npgsql sends a statement whose parameters have no names as it is (its raw mode); with named ones it parses and
/// rewrites the statement on every execution. For a hot statement, write it readable and send it positional.
/// </summary>
public static partial class PositionalSql
{
    /// <summary>
    /// <paramref name="sql"/> with each <c>@name</c> replaced by <c>$i</c>, i its 1-based place in <paramref name="names"/>.
    /// The command then adds its parameters without names, in that order.
    /// </summary>
    /// <exception cref="ArgumentException">The statement uses a name not listed, or a listed name is not used.</exception>
    public static string From(string sql, string[] names)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var positional = Parameter().Replace(sql, match =>
        {
            var name = match.Groups[1].Value;
            var index = Array.IndexOf(names, name);
            if (index < 0)
            {
                throw new ArgumentException($"The statement uses @{name}, which is not in the list of parameters.", nameof(names));
            }

            used.Add(name);
            return "$" + (index + 1).ToString(CultureInfo.InvariantCulture);
        });
        var unused = names.Where(n => !used.Contains(n)).ToList();
        return unused.Count == 0 ? positional
            : throw new ArgumentException($"Parameters never used by the statement: {string.Join(", ", unused)}.", nameof(names));
    }

    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Parameter();
}
