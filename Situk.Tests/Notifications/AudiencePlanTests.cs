using Dapper;
using Npgsql;
using Situk.Api.Database;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Notifications;

[Description("The statement that finds an admin message's recipients (a role, everyone) is planned once per connection, not on every call; "
    + "a message to one user has none: its insert's foreign key checks the user.")]
public sealed class AudiencePlanTests
{
    [TestCase("role")]
    [TestCase("all")]
    public async Task Each_kind_of_target_settles_on_a_generic_plan(string kind)
    {
        await using var api = await ApiFixture.StartAsync();
        var asesi = await api.CreateUserAsync(Roles.Asesi);
        var to = kind == "role" ? new MessageTarget(Role: Roles.Asesi) : new MessageTarget(All: true);
        var sql = AdminNotificationsApi.AudienceSql(to);
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, api.ConnectionString);
        builder.MaxPoolSize = 1; // one connection, so every use lands on it
        await using var dataSource = NpgsqlDataSource.Create(builder);
        await using var c = await dataSource.OpenConnectionAsync();
        // A site's worth of candidates, so that a plan which cannot use an index costs what it would in production.
        await c.ExecuteAsync("""
            INSERT INTO users (full_name, email, role, password_hash)
            SELECT 'Asesi ' || g, 'plan' || g || '@example.test', 'asesi', 'x' FROM generate_series(1, 5000) g;
            ANALYZE users;
            """);
        for (var i = 0; i < 12; i++)
        {
            var ids = (await c.QueryAsync<long>(sql, new { ids = new[] { asesi.Id }, role = Roles.Asesi })).ToList();
            Assert.That(ids, Does.Contain(asesi.Id));
        }

        var plans = await c.QuerySingleAsync<(long Generic, long Custom)>(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'SELECT id FROM users%'");
        // PostgreSQL plans the first five executions for their values, then keeps the generic plan when it costs no more.
        Assert.That(plans.Generic, Is.GreaterThan(0), $"custom plans: {plans.Custom}");
    }
}
