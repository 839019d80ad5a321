using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Situk.Api.Database;

namespace Situk.Api.Relay;

/// <summary>
/// <c>LISTEN</c> on one channel over a dedicated connection, setting a <see cref="WakeSignal"/> on each
/// NOTIFY. When the connection dies (PostgreSQL restart, <c>pg_terminate_backend</c>, network) it
/// reconnects with back-off and sets the signal once, for whatever was inserted meanwhile.
/// A NOTIFY whose payload names another API instance (migration 0025) sets the signal only after
/// <see cref="RelayOptions.OtherInstanceWakeDelay"/>, at most once per delay: that instance's own relays were woken
/// at once and most likely have the rows, so this one looks later in case they could not.
/// </summary>
internal sealed partial class OutboxListener
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<OutboxListener> _logger;
    private readonly ResiliencePipeline _reconnect;
    private readonly TimeSpan _otherInstanceDelay;

    public OutboxListener(NpgsqlDataSource dataSource, IOptions<RelayOptions> options, TimeProvider timeProvider, ILogger<OutboxListener> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _otherInstanceDelay = options.Value.OtherInstanceWakeDelay;
        _reconnect = DatabaseRetry.Build(timeProvider, (attempt, delay, reason) => LogListenRetry(_logger, attempt, delay, reason));
    }

    /// <summary>The <c>application_name</c> of the listening session, so operators (and tests) can find it.</summary>
    public static string ApplicationName(string channel) => "situk-relay-listen:" + channel;

    /// <summary>Listens until <paramref name="ct"/> is cancelled. <paramref name="probeEvery"/> bounds how long a silently dead connection goes unnoticed.</summary>
    public async Task RunAsync(string channel, WakeSignal signal, TimeSpan probeEvery, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _reconnect.ExecuteAsync(token => OpenListeningAsync(channel, token), ct);
                try
                {
                    // This instance's name, as its own writes put it in the payload ("" when its connections carry none).
                    await using var name = new NpgsqlCommand("SELECT coalesce(current_setting('" + DatabaseConnections.InstanceSetting + "', true), '')", connection);
                    var self = (string?)await name.ExecuteScalarAsync(ct) ?? "";
                    connection.Notification += (_, e) =>
                    {
                        if (e.Payload.Length == 0 || e.Payload == self)
                        {
                            signal.Set();
                        }
                        else
                        {
                            signal.SetAfter(_otherInstanceDelay);
                        }
                    };
                    signal.Set();
                    LogListening(_logger, channel);
                    while (!ct.IsCancellationRequested)
                    {
                        if (!await connection.WaitAsync(probeEvery, ct))
                        {
                            await using var probe = new NpgsqlCommand("SELECT 1", connection);
                            await probe.ExecuteScalarAsync(ct);
                        }
                    }
                }
                finally
                {
                    await ForgetListeningAsync(connection);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (Transient.IsDatabase(ex))
            {
                LogListenLost(_logger, channel, ex.Message);
            }
        }
    }

    private async ValueTask<NpgsqlConnection> OpenListeningAsync(string channel, CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct);
        try
        {
            // The channel names are constants of this assembly, never input.
            await using var command = new NpgsqlCommand($"SET application_name = '{ApplicationName(channel)}'; LISTEN {channel}", connection);
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Pooled connections are not reset on their return (<see cref="Database.DatabaseConnections"/>), so a listening
    /// connection that is still open stops listening and drops its name before it goes back to the pool; a broken
    /// one is never pooled again.
    /// </summary>
    private static async Task ForgetListeningAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand("UNLISTEN *; RESET application_name", connection) { CommandTimeout = 5 };
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            // The connection broke or was left busy on the way out: Npgsql discards a broken connection instead of pooling it.
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Listening on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "LISTEN connection for {Channel} lost, reconnecting: {Reason}")]
    private static partial void LogListenLost(ILogger logger, string channel, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "LISTEN reconnect attempt {Attempt} failed, next in {Delay}: {Reason}")]
    private static partial void LogListenRetry(ILogger logger, int attempt, TimeSpan delay, string? reason);
}
