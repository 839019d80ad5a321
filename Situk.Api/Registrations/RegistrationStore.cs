using System.Text.Json;
using Dapper;
using Npgsql;
using Situk.Api.Auth;

namespace Situk.Api.Registrations;

/// <summary>The SQL over registrations, APL-02 answers and assessment records.</summary>
public static class RegistrationStore
{
    /// <summary>
    /// What a step needs to know about the registration it changes, read under a row lock: also the names
    /// its notifications give people and things by (the asesor, the scheme, the TUK and its address).
    /// </summary>
    public sealed record Locked(
        long Id, long ScheduleId, long SchemeId, string SchemeName, long AsesiId, string AsesiName, long? AsesorId, string Status,
        DateTimeOffset? AssessmentAt, string? AsesorName, string PlaceName, string PlaceAddress)
    {
        /// <summary>Whether the caller may see this registration at all (otherwise it is a 404 to them).</summary>
        public bool VisibleTo(Caller caller, bool asesorsMayVerify = false) => Visible(caller, AsesiId, AsesorId, Status, asesorsMayVerify);
    }

    private sealed record DetailRow(
        long Id, long ScheduleId, long SchemeId, long AsesiId, string AsesiName, string Status, string Apl01,
        string? VerificationNote, long? AsesorId, string? AsesorName, DateTimeOffset? AssessmentAt,
        string? Verdict, string? VerdictNote, string? RecordNotes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? CertificateNumber);

    private sealed record RecordRow(string Kind, long CriterionId, bool Competent, string? Note);

    /// <summary>
    /// Admins see every registration; an asesi sees their own; an asesor sees those assigned to them (APL-01 holds
    /// identity number, birth date and address). With <see cref="RegistrationOptions.AsesorsMayVerify"/> an asesor
    /// also sees the unassigned ones waiting for APL-01 verification (the queue they then verify).
    /// </summary>
    public static bool Visible(Caller caller, long asesiId, long? asesorId, string status, bool asesorsMayVerify = false) =>
        caller.IsAdmin
        || (caller.IsAsesi && asesiId == caller.UserId)
        || (caller.IsAsesor && (asesorId == caller.UserId || (asesorsMayVerify && asesorId is null && status == RegistrationStatus.Submitted)));

    /// <summary>The same rule as <see cref="Visible"/> without the queue, as SQL over <c>r</c> with parameters <c>@me</c> and <c>@role</c>.</summary>
    public const string VisibleSql = """
        (@role = 'admin'
         OR (@role = 'asesi' AND r.asesi_id = @me)
         OR (@role = 'asesor' AND r.asesor_id = @me))
        """;

    /// <summary>The verification queue an asesor sees when asesors may verify, as SQL over <c>r</c> with <c>@role</c>.</summary>
    public const string QueueSql = "(@role = 'asesor' AND r.asesor_id IS NULL AND r.status = 'submitted')";

    /// <summary>Locks the registration row (<c>FOR UPDATE</c>) until the transaction ends; null when it does not exist.</summary>
    public static Task<Locked?> LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(
            """
            SELECT r.id, r.schedule_id AS scheduleId, s.scheme_id AS schemeId, sc.name AS schemeName,
                   r.asesi_id AS asesiId, u.full_name AS asesiName, r.asesor_id AS asesorId, r.status,
                   r.assessment_at AS assessmentAt, a.full_name AS asesorName, p.name AS placeName, p.address AS placeAddress
            FROM registrations r
            JOIN schedules s ON s.id = r.schedule_id
            JOIN schemes sc ON sc.id = s.scheme_id
            JOIN places p ON p.id = s.place_id
            JOIN users u ON u.id = r.asesi_id
            LEFT JOIN users a ON a.id = r.asesor_id
            WHERE r.id = @id
            FOR UPDATE OF r
            """,
            new { id }, tx, cancellationToken: ct));

    /// <summary>Moves a locked registration to <paramref name="status"/> with the step's columns, touching <c>updated_at</c>.</summary>
    public static Task SetStatusAsync(NpgsqlConnection c, NpgsqlTransaction tx, long id, string status, RegistrationChange change, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE registrations SET
                status = @status,
                updated_at = now(),
                verification_note = CASE WHEN @verifiedBy::bigint IS NULL THEN verification_note ELSE @verificationNote END,
                verified_by = coalesce(@verifiedBy, verified_by),
                asesor_id = coalesce(@asesorId, asesor_id),
                assessment_at = coalesce(@assessmentAt, assessment_at),
                verdict = coalesce(@verdict, verdict),
                verdict_note = CASE WHEN @verdict::text IS NULL THEN verdict_note ELSE @verdictNote END
            WHERE id = @id
            """,
            new
            {
                id,
                status,
                verificationNote = change.VerificationNote,
                verifiedBy = change.VerifiedBy,
                asesorId = change.AsesorId,
                assessmentAt = change.AssessmentAt,
                verdict = change.Verdict,
                verdictNote = change.VerdictNote,
            },
            tx, cancellationToken: ct));

    public static async Task<RegistrationDto?> LoadAsync(NpgsqlConnection c, long id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition(
            """
            SELECT r.id, r.schedule_id AS scheduleId, s.scheme_id AS schemeId, r.asesi_id AS asesiId, u.full_name AS asesiName,
                   r.status, r.apl01::text AS apl01, r.verification_note AS verificationNote, r.asesor_id AS asesorId,
                   a.full_name AS asesorName, r.assessment_at AS assessmentAt, r.verdict, r.verdict_note AS verdictNote,
                   r.record_notes AS recordNotes, r.created_at AS createdAt, r.updated_at AS updatedAt,
                   cert.number AS certificateNumber
            FROM registrations r
            JOIN schedules s ON s.id = r.schedule_id
            JOIN users u ON u.id = r.asesi_id
            LEFT JOIN users a ON a.id = r.asesor_id
            LEFT JOIN certificates cert ON cert.registration_id = r.id
            WHERE r.id = @id
            """,
            new { id }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var answers = await c.QueryAsync<Apl02AnswerDto>(new CommandDefinition(
            "SELECT criterion_id AS criterionId, competent, evidence FROM apl02_answers WHERE registration_id = @id ORDER BY criterion_id",
            new { id }, cancellationToken: ct));
        var records = await RecordsAsync(c, null, id, row.RecordNotes, ct);
        var apl01 = JsonSerializer.Deserialize<Apl01>(row.Apl01, JsonSerializerOptions.Web)!;
        return new RegistrationDto(
            row.Id, row.ScheduleId, row.SchemeId, row.AsesiId, row.AsesiName, row.Status, apl01, row.VerificationNote,
            row.AsesorId, row.AsesorName, row.AssessmentAt, answers.ToList(), records, row.Verdict, row.VerdictNote, row.CreatedAt, row.UpdatedAt, row.CertificateNumber);
    }

    public static async Task<RecordsDto> RecordsAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long id, string? notes, CancellationToken ct)
    {
        var rows = (await c.QueryAsync<RecordRow>(new CommandDefinition(
            "SELECT kind, criterion_id AS criterionId, competent, note FROM assessment_records WHERE registration_id = @id ORDER BY kind, criterion_id",
            new { id }, tx, cancellationToken: ct))).ToList();
        return new RecordsDto(
            rows.Where(r => r.Kind == "observation").Select(r => new RecordDto(r.CriterionId, r.Competent, r.Note)).ToList(),
            rows.Where(r => r.Kind == "portfolio").Select(r => new RecordDto(r.CriterionId, r.Competent, r.Note)).ToList(),
            notes);
    }

    /// <summary>
    /// One page of the registrations the caller may see, by id after <paramref name="filter"/>'s cursor.
    /// The filters only narrow <see cref="VisibleSql"/> (and, with <paramref name="asesorsMayVerify"/>, <see cref="QueueSql"/>):
    /// an asesor passing another asesor's id gets nothing of theirs.
    /// </summary>
    public static async Task<RegistrationSummaryDto[]> ListAsync(
        NpgsqlConnection c, Caller caller, RegistrationFilter filter, int take, bool asesorsMayVerify, CancellationToken ct) =>
        (await c.QueryAsync<RegistrationSummaryDto>(new CommandDefinition(
            $"""
            SELECT r.id, r.schedule_id AS scheduleId, r.asesi_id AS asesiId, u.full_name AS asesiName, r.status,
                   r.asesor_id AS asesorId, r.assessment_at AS assessmentAt, r.created_at AS createdAt
            FROM registrations r
            JOIN users u ON u.id = r.asesi_id
            JOIN schedules s ON s.id = r.schedule_id
            WHERE ({VisibleSql} OR (@queue AND {QueueSql}))
              AND r.id > @after
              AND (@status::text IS NULL OR r.status = @status)
              AND (@schemeId::bigint IS NULL OR s.scheme_id = @schemeId)
              AND (@scheduleId::bigint IS NULL OR r.schedule_id = @scheduleId)
              AND (@asesorId::bigint IS NULL OR r.asesor_id = @asesorId)
              AND (@pattern::text IS NULL
                   OR r.apl01 ->> 'fullName' ILIKE @pattern ESCAPE '\'
                   OR r.apl01 ->> 'identityNumber' ILIKE @pattern ESCAPE '\')
            ORDER BY r.id
            LIMIT @take
            """,
            new
            {
                me = caller.UserId,
                role = caller.Role,
                queue = asesorsMayVerify,
                after = filter.After,
                filter.Status,
                filter.SchemeId,
                filter.ScheduleId,
                filter.AsesorId,
                pattern = filter.Query is null ? null : "%" + EscapeLike(filter.Query) + "%",
                take,
            },
            cancellationToken: ct))).ToArray();

    /// <summary>Makes <c>%</c>, <c>_</c> and <c>\</c> in searched text match themselves under <c>ILIKE … ESCAPE '\'</c>.</summary>
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}

/// <summary>The checked filters of <c>GET /registrations</c>; null means "any".</summary>
public sealed record RegistrationFilter(long After, string? Status, long? SchemeId, long? ScheduleId, long? AsesorId, string? Query);
