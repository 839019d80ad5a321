using Dapper;
using Npgsql;

namespace Situk.Api.Certificates;

/// <summary>The SQL that reads certificates; issuing is <see cref="CertificateIssuer"/>, revoking and reminding their own steps.</summary>
public static class CertificateStore
{
    /// <summary>The longest number looked up; longer text names no certificate (the column holds at most 300).</summary>
    public const int MaxNumberLength = 300;

    private const string Columns = $"""
        c.id, c.number, {CertificateStatus.Sql} AS status, c.registration_id AS registrationId, c.scheme_id AS schemeId,
        c.scheme_name AS schemeName, c.holder_id AS holderId, c.holder_name AS holderName, c.issued_at AS issuedAt,
        c.expires_at AS expiresAt, c.revoked_at AS revokedAt, c.revocation_reason AS revocationReason
        """;

    /// <summary>The certificate with this exact number, or null; <paramref name="forUpdate"/> locks its row.</summary>
    public static Task<CertificateDto?> FindAsync(
        NpgsqlConnection c, string number, DateTimeOffset now, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false) =>
        number.Length is 0 or > MaxNumberLength
            ? Task.FromResult<CertificateDto?>(null)
            : c.QuerySingleOrDefaultAsync<CertificateDto>(new CommandDefinition(
                $"SELECT {Columns} FROM certificates c WHERE c.number = @number{(forUpdate ? " FOR UPDATE" : "")}",
                new { number, now }, tx, cancellationToken: ct));

    /// <summary>A page by id after <paramref name="after"/>, narrowed by holder, scheme and status (null: any).</summary>
    public static async Task<CertificateDto[]> ListAsync(
        NpgsqlConnection c, long after, long? holderId, long? schemeId, string? status, DateTimeOffset now, int take, CancellationToken ct) =>
        (await c.QueryAsync<CertificateDto>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM certificates c
            WHERE c.id > @after
              AND (@holderId::bigint IS NULL OR c.holder_id = @holderId)
              AND (@schemeId::bigint IS NULL OR c.scheme_id = @schemeId)
              AND (@status::text IS NULL OR {CertificateStatus.Sql} = @status)
            ORDER BY c.id
            LIMIT @take
            """,
            new { after, holderId, schemeId, status, now, take }, cancellationToken: ct))).ToArray();
}
