using Situk.Api.Database;

namespace Situk.Tests.Database;

[Description("Named parameters turned once into PostgreSQL's positional ones, refusing a statement and a list that disagree.")]
public sealed class PositionalSqlTests
{
    [Test]
    public void Each_name_becomes_its_place_in_the_list_however_often_it_is_used()
    {
        var sql = PositionalSql.From(
            "SELECT @kind_group, @kind, coalesce(@kind, x::text) FROM t WHERE a = @kind_group AND e = 'a@b' AND @@x",
            ["kind", "kind_group"]);

        Assert.That(sql, Is.EqualTo("SELECT $2, $1, coalesce($1, x::text) FROM t WHERE a = $2 AND e = 'a@b' AND @@x"));
    }

    [Test]
    public void A_name_not_in_the_list_or_a_listed_name_never_used_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => PositionalSql.From("SELECT @a, @b", ["a"]), Throws.ArgumentException.With.Message.Contains("@b"));
            Assert.That(() => PositionalSql.From("SELECT @a", ["a", "c"]), Throws.ArgumentException.With.Message.Contains("c"));
        });
    }
}
