using System.Data;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Situk.Api.Evidence;

/// <summary>The SQL over <c>evidence_files</c> (migration 0016).</summary>
public static class EvidenceStore
{
    /// <summary>The registration fields the evidence routes decide on, read without a lock.</summary>
    public sealed record Owner(long Id, long AsesiId, long? AsesorId, string Status);

    /// <summary>What a registration holds already: files and bytes.</summary>
    public sealed record Usage(int Files, long Bytes);

    /// <summary>A new file's metadata; the bytes come from the spooled file.</summary>
    public sealed record NewFile(long RegistrationId, string Purpose, string Kind, long? CriterionId);

    private const string Columns = """
        id, registration_id AS registrationId, kind, purpose, criterion_id AS criterionId, file_name AS fileName,
        content_type AS contentType, size_bytes AS size, encode(sha256, 'hex') AS sha256, uploaded_at AS uploadedAt,
        review, review_note AS reviewNote, reviewed_by AS reviewedBy, reviewed_at AS reviewedAt
        """;

    public static Task<Owner?> OwnerAsync(NpgsqlConnection c, long registrationId, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Owner>(new CommandDefinition(
            "SELECT id, asesi_id AS asesiId, asesor_id AS asesorId, status FROM registrations WHERE id = @registrationId",
            new { registrationId }, cancellationToken: ct));

    public static Task<DocumentDto?> GetAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long registrationId, long documentId, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<DocumentDto>(new CommandDefinition(
            $"SELECT {Columns} FROM evidence_files WHERE id = @documentId AND registration_id = @registrationId",
            new { registrationId, documentId }, tx, cancellationToken: ct));

    public static async Task<IReadOnlyList<DocumentDto>> ListAsync(NpgsqlConnection c, long registrationId, CancellationToken ct) =>
        (await c.QueryAsync<DocumentDto>(new CommandDefinition(
            $"SELECT {Columns} FROM evidence_files WHERE registration_id = @registrationId ORDER BY id",
            new { registrationId }, cancellationToken: ct))).ToList();

    /// <summary>Files and bytes of a registration, leaving out <paramref name="except"/> (the file being replaced).</summary>
    public static Task<Usage> UsageAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long registrationId, long? except, CancellationToken ct) =>
        c.QuerySingleAsync<Usage>(new CommandDefinition(
            """
            SELECT count(*)::int AS files, coalesce(sum(size_bytes), 0)::bigint AS bytes
            FROM evidence_files WHERE registration_id = @registrationId AND id IS DISTINCT FROM @except
            """,
            new { registrationId, except }, tx, cancellationToken: ct));

    /// <summary>The first APL-01 file a reviewer rejected and the asesi has not replaced yet, or null.</summary>
    public static Task<DocumentDto?> FirstRejectedAsync(NpgsqlConnection c, NpgsqlTransaction tx, long registrationId, CancellationToken ct) =>
        c.QueryFirstOrDefaultAsync<DocumentDto>(new CommandDefinition(
            $"SELECT {Columns} FROM evidence_files WHERE registration_id = @registrationId AND purpose = 'apl01' AND review = 'rejected' ORDER BY id LIMIT 1",
            new { registrationId }, tx, cancellationToken: ct));

    public static async Task<long> InsertAsync(NpgsqlConnection c, NpgsqlTransaction tx, NewFile file, SpooledFile content, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO evidence_files (registration_id, purpose, kind, criterion_id, file_name, content_type, size_bytes, sha256, content)
            VALUES (@registrationId, @purpose, @kind, @criterionId, @fileName, @contentType, @size, @sha256, @content)
            RETURNING id
            """,
            c, tx);
        command.Parameters.Add(new NpgsqlParameter<long>("registrationId", file.RegistrationId));
        command.Parameters.Add(new NpgsqlParameter<string>("purpose", file.Purpose));
        command.Parameters.Add(new NpgsqlParameter<string>("kind", file.Kind));
        command.Parameters.Add(new NpgsqlParameter("criterionId", NpgsqlDbType.Bigint) { Value = (object?)file.CriterionId ?? DBNull.Value });
        AddContent(command, content);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Puts new bytes in place of a file's, resetting its review: the replacement has not been seen by anyone.</summary>
    public static async Task ReplaceAsync(NpgsqlConnection c, NpgsqlTransaction tx, long documentId, SpooledFile content, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE evidence_files SET
                file_name = @fileName, content_type = @contentType, size_bytes = @size, sha256 = @sha256, content = @content,
                review = 'pending', review_note = NULL, reviewed_by = NULL, reviewed_at = NULL, uploaded_at = now()
            WHERE id = @documentId
            """,
            c, tx);
        command.Parameters.Add(new NpgsqlParameter<long>("documentId", documentId));
        AddContent(command, content);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static Task ReviewAsync(NpgsqlConnection c, NpgsqlTransaction tx, long documentId, bool accepted, string? note, long reviewer, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE evidence_files SET review = @review, review_note = @note, reviewed_by = @reviewer, reviewed_at = now() WHERE id = @documentId",
            new { documentId, review = accepted ? EvidenceReviews.Accepted : EvidenceReviews.Rejected, note, reviewer }, tx, cancellationToken: ct));

    /// <summary>
    /// A reader positioned on the file's row, columns in order: content type, file name, size, content. Opened with
    /// <see cref="CommandBehavior.SequentialAccess"/>, so the content is read from the socket as it is copied out, not buffered whole.
    /// </summary>
    public static async Task<NpgsqlDataReader?> OpenContentAsync(NpgsqlConnection c, long registrationId, long documentId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT content_type, file_name, size_bytes, content FROM evidence_files WHERE id = @documentId AND registration_id = @registrationId", c);
        command.Parameters.Add(new NpgsqlParameter<long>("documentId", documentId));
        command.Parameters.Add(new NpgsqlParameter<long>("registrationId", registrationId));
        var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, ct);
        if (await reader.ReadAsync(ct))
        {
            return reader;
        }

        await reader.DisposeAsync();
        return null;
    }

    private static void AddContent(NpgsqlCommand command, SpooledFile content)
    {
        command.Parameters.Add(new NpgsqlParameter<string>("fileName", content.FileName));
        command.Parameters.Add(new NpgsqlParameter<string>("contentType", content.Type.ContentType));
        command.Parameters.Add(new NpgsqlParameter<long>("size", content.Length));
        command.Parameters.Add(new NpgsqlParameter<byte[]>("sha256", content.Sha256));

        // Npgsql writes a seekable Stream parameter to bytea by copying it to the socket, so the file is never a
        // byte[] here. No Size on the parameter: with one set, Npgsql copies the stream into memory first
        // (EvidenceStreamingTests measured 16 MB allocated for a 5 MiB upload that way, 0.2 MB without).
        content.Content.Position = 0;
        command.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Bytea) { Value = content.Content });
    }
}
