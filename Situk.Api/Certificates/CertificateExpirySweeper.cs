using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Hosting;
using Situk.Api.Relay;

namespace Situk.Api.Certificates;

/// <summary>
/// Tells each holder once that their certificate expires within <see cref="CertificateOptions.ExpiryNoticeDays"/>,
/// every <see cref="CertificateOptions.ExpiryScanInterval"/> on the <see cref="TimeProvider"/>'s clock and
/// once at start. The rows are claimed <c>FOR UPDATE SKIP LOCKED</c> and marked <c>expiry_notified_at</c> in
/// the transaction that writes the notices, so any number of API instances sweeping at once tell each
/// holder exactly once. Revoked and already expired certificates are left alone.
/// </summary>
public sealed partial class CertificateExpirySweeper(
    NpgsqlDataSource dataSource, IOptions<CertificateOptions> options, TimeProvider time, ILogger<CertificateExpirySweeper> logger) : PeriodicSweeper(time)
{
    // Certificates per transaction, so a first sweep over years of certificates never holds a huge lock set.
    private const int BatchSize = 500;

    private sealed record Due(long Id, string Number, long HolderId, long RegistrationId, string SchemeName, DateTimeOffset ExpiresAt);

    /// <summary>One sweep: notifies every certificate now inside the window and not yet told; returns how many.</summary>
    public override async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var until = now.AddDays(options.Value.ExpiryNoticeDays);
        var told = 0;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        while (true)
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            var due = (await c.QueryAsync<Due>(new CommandDefinition(
                """
                SELECT id, number, holder_id AS holderId, registration_id AS registrationId, scheme_name AS schemeName, expires_at AS expiresAt
                FROM certificates
                WHERE revoked_at IS NULL AND expiry_notified_at IS NULL AND expires_at > @now AND expires_at <= @until
                ORDER BY expires_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED
                """,
                new { now, until, limit = BatchSize }, tx, cancellationToken: ct))).ToList();
            if (due.Count == 0)
            {
                break;
            }

            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE certificates SET expiry_notified_at = @now WHERE id = ANY(@ids)",
                new { now, ids = due.Select(d => d.Id).ToArray() }, tx, cancellationToken: ct));
            await NotificationWriter.AddAsync(
                c, tx, due.Select(d => CertificateNotices.Expiring(d.HolderId, d.RegistrationId, d.Number, d.SchemeName, d.ExpiresAt)), ct);
            await tx.CommitAsync(ct);
            told += due.Count;
            if (due.Count < BatchSize)
            {
                break;
            }
        }

        if (told > 0)
        {
            LogNotified(logger, told);
        }

        return told;
    }

    protected override TimeSpan Interval => options.Value.ExpiryScanInterval;

    protected override void SweepFailed(string error) => LogSweepFailed(logger, error);
}
