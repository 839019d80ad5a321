using Dapper;
using Npgsql;
using Situk.Api.Notifications;

namespace Situk.Api.Certificates;

/// <summary>
/// Issues the certificate of a competent verdict inside the verdict's own transaction: the next number
/// of its scheme and year, a validity from the scheme, and the holder's <c>certificate.issued</c> notice.
/// Either the verdict and its certificate both commit, or neither does.
/// </summary>
public sealed class CertificateIssuer(CertificateNumberFormat format)
{
    private sealed record Source(long SchemeId, string SchemeCode, string SchemeName, int ValidityYears, long HolderId, string HolderName);

    // An upsert is the allocation: the first certificate of a scheme and year inserts 1, every later one
    // increments under the row's lock. No MAX()+1: two verdicts at once never see the same number, and a
    // rolled-back verdict gives its number back with everything else.
    private const string NextSeqSql = """
        INSERT INTO certificate_sequences AS s (scheme_id, year, last_seq) VALUES (@schemeId, @year, 1)
        ON CONFLICT (scheme_id, year) DO UPDATE SET last_seq = s.last_seq + 1
        RETURNING last_seq
        """;

    /// <summary>Stores the certificate of registration <paramref name="registrationId"/>; returns the notice to write with it.</summary>
    public async Task<NewNotification> IssueAsync(NpgsqlConnection c, NpgsqlTransaction tx, long registrationId, DateTimeOffset now, CancellationToken ct)
    {
        // The printed name is the one the asesi gave on APL-01 (as on their identity card), else the account's.
        var source = await c.QuerySingleAsync<Source>(new CommandDefinition(
            """
            SELECT s.scheme_id AS schemeId, sc.code AS schemeCode, sc.name AS schemeName, sc.validity_years AS validityYears,
                   r.asesi_id AS holderId, coalesce(nullif(btrim(r.apl01 ->> 'fullName'), ''), u.full_name) AS holderName
            FROM registrations r
            JOIN schedules s ON s.id = r.schedule_id
            JOIN schemes sc ON sc.id = s.scheme_id
            JOIN users u ON u.id = r.asesi_id
            WHERE r.id = @registrationId
            """,
            new { registrationId }, tx, cancellationToken: ct));
        var year = now.UtcDateTime.Year;
        var seq = await c.ExecuteScalarAsync<int>(new CommandDefinition(NextSeqSql, new { source.SchemeId, year }, tx, cancellationToken: ct));
        var number = format.Format(source.SchemeCode, year, seq);
        var expiresAt = now.AddYears(source.ValidityYears);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO certificates (number, registration_id, scheme_id, holder_id, holder_name, scheme_name, year, seq, issued_at, expires_at)
            VALUES (@number, @registrationId, @SchemeId, @HolderId, @HolderName, @SchemeName, @year, @seq, @now, @expiresAt)
            """,
            new { number, registrationId, source.SchemeId, source.HolderId, source.HolderName, source.SchemeName, year, seq, now, expiresAt },
            tx, cancellationToken: ct));
        return CertificateNotices.Issued(source.HolderId, registrationId, number, source.SchemeName, expiresAt);
    }
}
