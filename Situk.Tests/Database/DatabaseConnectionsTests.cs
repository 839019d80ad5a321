using Npgsql;
using Situk.Api.Database;

namespace Situk.Tests.Database;

[Description("The API prepares its hot statements automatically and returns connections to the pool without a reset, unless its connection string decides otherwise.")]
public sealed class DatabaseConnectionsTests
{
    [Test]
    public void A_connection_string_that_says_nothing_gets_automatic_preparation()
    {
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, "Host=127.0.0.1;Username=postgres;Database=situk");
        Assert.That(builder.MaxAutoPrepare, Is.EqualTo(DatabaseConnections.MaxAutoPrepare));
        Assert.That(builder.NoResetOnClose, Is.True);
    }

    [TestCase("Host=127.0.0.1;No Reset On Close=false", false)]
    [TestCase("Host=127.0.0.1;NoResetOnClose=false", false)]
    public void A_connection_string_that_names_its_reset_keeps_it(string connectionString, bool expected)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, connectionString);
        Assert.That(builder.NoResetOnClose, Is.EqualTo(expected));
    }

    [TestCase("Host=127.0.0.1;Max Auto Prepare=0", 0)]
    [TestCase("Host=127.0.0.1;MaxAutoPrepare=20", 20)]
    public void A_connection_string_that_names_its_own_keeps_it(string connectionString, int expected)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, connectionString);
        Assert.That(builder.MaxAutoPrepare, Is.EqualTo(expected));
    }

    [Test]
    [Description("Once used more than five times on a connection, the writer's statement stays prepared on the server.")]
    public async Task The_notification_writers_statement_is_prepared_after_repeated_use()
    {
        await using var api = await Support.ApiFixture.StartAsync();
        var asesi = await api.CreateUserAsync(Situk.Contracts.Roles.Asesi);
        var builder = new NpgsqlConnectionStringBuilder();
        DatabaseConnections.Configure(builder, api.ConnectionString);
        builder.MaxPoolSize = 1; // one connection, so every use lands on it
        await using var dataSource = NpgsqlDataSource.Create(builder);
        for (var i = 0; i < 7; i++)
        {
            await using var c = await dataSource.OpenConnectionAsync();
            await using var tx = await c.BeginTransactionAsync();
            await Situk.Api.Notifications.NotificationWriter.AddAsync(c, tx,
                [new Situk.Api.Notifications.NewNotification(asesi.Id, Situk.Contracts.NotificationKinds.AdminMessage, "t", "b", null)], CancellationToken.None);
            await tx.CommitAsync();
        }

        await using var check = await dataSource.OpenConnectionAsync();
        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO notifications%'", check);
        Assert.That((long)(await prepared.ExecuteScalarAsync())!, Is.EqualTo(1));
    }
}
