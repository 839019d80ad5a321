using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Registrations;
using Situk.Api.Relay;

namespace Situk.Api.Evidence;

/// <summary>Uploading and replacing files: the body is read and checked before the registration is locked, and stored in one transaction.</summary>
public static partial class EvidenceApi
{
    private static readonly string[] UploadFields = ["kind", "purpose", "criterionId"];

    /// <summary>The status a registration must have for files of <paramref name="purpose"/> to be added or replaced.</summary>
    public static string OpenStatus(string purpose) =>
        purpose == EvidencePurposes.Apl01 ? RegistrationStatus.Submitted : RegistrationStatus.Assigned;

    private static async Task<Results<Created<DocumentDto>, ProblemHttpResult>> Upload(
        long id, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, IOptions<EvidenceOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(EvidenceLog.Category);
        var me = Caller.From(user);

        // Refuse what no body can fix before reading one: someone else's registration, a state that takes no files.
        if (await PrecheckAsync(db, id, me, ct) is { } early)
        {
            EvidenceLog.Refused(logger, id, early.StatusCode);
            return early;
        }

        var limits = options.Value;
        var (form, problem) = await UploadForm.ReadAsync(request, UploadFields, limits.MaxFileBytes, ct);
        if (problem is not null)
        {
            EvidenceLog.Refused(logger, id, problem.StatusCode);
            return problem;
        }

        await using var upload = form!;
        var (file, invalid) = ReadFields(id, upload);
        if (invalid is not null)
        {
            return invalid;
        }

        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, r => r.AsesiId == me.UserId, OpenStatus(file!.Purpose)) is { } refused)
        {
            return refused;
        }

        if (file.CriterionId is { } criterion && !await step.Connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT situk_criterion_in_scheme(@id, @criterion)", new { id, criterion }, step.Transaction, cancellationToken: ct)))
        {
            return EvidenceProblems.Field(StatusCodes.Status422UnprocessableEntity, "criterionId", "evidence.criterion_foreign", ("criterion", criterion));
        }

        if (await RoomProblemAsync(step, id, null, upload.File.Length, limits, ct) is { } full)
        {
            return full;
        }

        var docId = await EvidenceStore.InsertAsync(step.Connection, step.Transaction, file, upload.File, ct);
        var stored = (await EvidenceStore.GetAsync(step.Connection, step.Transaction, id, docId, ct))!;
        await step.CommitAsync(null, [], ct);
        EvidenceLog.Stored(logger, docId, id, stored.Size, stored.ContentType);
        return TypedResults.Created($"/api/v1/registrations/{id}/documents/{docId}/content", stored);
    }

    private static async Task<Results<Ok<DocumentDto>, ProblemHttpResult>> Replace(
        long id, long docId, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, IOptions<EvidenceOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(EvidenceLog.Category);
        var me = Caller.From(user);
        DocumentDto? existing;
        await using (var c = await db.OpenConnectionAsync(ct))
        {
            var owner = await EvidenceStore.OwnerAsync(c, id, ct);
            if (owner is null || owner.AsesiId != me.UserId)
            {
                return Problems.NotFound("registration.not_found", ("id", id));
            }

            existing = await EvidenceStore.GetAsync(c, null, id, docId, ct);
            if (existing is null)
            {
                return Problems.NotFound("document.not_found", ("id", docId));
            }

            if (owner.Status != OpenStatus(existing.Purpose))
            {
                return Problems.WrongState(id, owner.Status, OpenStatus(existing.Purpose));
            }
        }

        var limits = options.Value;
        var (form, problem) = await UploadForm.ReadAsync(request, [], limits.MaxFileBytes, ct);
        if (problem is not null)
        {
            EvidenceLog.Refused(logger, id, problem.StatusCode);
            return problem;
        }

        await using var upload = form!;
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, r => r.AsesiId == me.UserId, OpenStatus(existing.Purpose)) is { } refused)
        {
            return refused;
        }

        if (await EvidenceStore.GetAsync(step.Connection, step.Transaction, id, docId, ct) is null)
        {
            return Problems.NotFound("document.not_found", ("id", docId));
        }

        if (await RoomProblemAsync(step, id, docId, upload.File.Length, limits, ct) is { } full)
        {
            return full;
        }

        await EvidenceStore.ReplaceAsync(step.Connection, step.Transaction, docId, upload.File, ct);
        var stored = (await EvidenceStore.GetAsync(step.Connection, step.Transaction, id, docId, ct))!;
        await step.CommitAsync(null, [], ct);
        EvidenceLog.Stored(logger, docId, id, stored.Size, stored.ContentType);
        return TypedResults.Ok(stored);
    }

    private static async Task<ProblemHttpResult?> PrecheckAsync(NpgsqlDataSource db, long id, Caller me, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var owner = await EvidenceStore.OwnerAsync(c, id, ct);
        if (owner is null || owner.AsesiId != me.UserId)
        {
            return Problems.NotFound("registration.not_found", ("id", id));
        }

        return owner.Status is RegistrationStatus.Submitted or RegistrationStatus.Assigned
            ? null
            : Problems.WrongState(id, owner.Status, RegistrationStatus.Submitted, RegistrationStatus.Assigned);
    }

    /// <summary>The form fields of an upload, checked: <c>kind</c> and <c>purpose</c> from their lists, <c>criterionId</c> only for APL-02.</summary>
    private static (EvidenceStore.NewFile? File, ProblemHttpResult? Problem) ReadFields(long id, UploadForm form)
    {
        var kind = form.Field("kind");
        if (kind is null || !EvidenceKinds.All.Contains(kind, StringComparer.Ordinal))
        {
            return (null, EvidenceProblems.Invalid("kind", "evidence.kind", ("kinds", string.Join(", ", EvidenceKinds.All))));
        }

        var purpose = form.Field("purpose");
        if (purpose is null || !EvidencePurposes.All.Contains(purpose, StringComparer.Ordinal))
        {
            return (null, EvidenceProblems.Invalid("purpose", "evidence.purpose", ("purposes", string.Join(", ", EvidencePurposes.All))));
        }

        long? criterion = null;
        if (form.Field("criterionId") is { } text)
        {
            if (purpose != EvidencePurposes.Apl02)
            {
                return (null, EvidenceProblems.Invalid("criterionId", "evidence.criterion_not_apl02"));
            }

            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return (null, EvidenceProblems.Invalid("criterionId", "list.positive_id", ("field", "criterionId")));
            }

            criterion = value;
        }

        return (new EvidenceStore.NewFile(id, purpose, kind, criterion), null);
    }

    /// <summary>413 naming <c>file</c> when the registration cannot take <paramref name="bytes"/> more (the replaced file's own bytes left out).</summary>
    private static async Task<ProblemHttpResult?> RoomProblemAsync(
        RegistrationStep step, long id, long? replacing, long bytes, EvidenceOptions limits, CancellationToken ct)
    {
        var usage = await EvidenceStore.UsageAsync(step.Connection, step.Transaction, id, replacing, ct);
        if (usage.Files >= limits.MaxFilesPerRegistration)
        {
            return EvidenceProblems.TooLarge("file", "evidence.too_many_files", ("id", id), ("files", usage.Files));
        }

        return usage.Bytes + bytes > limits.MaxRegistrationBytes
            ? EvidenceProblems.TooLarge(
                "file", "evidence.registration_full", ("id", id), ("used", EvidenceProblems.Bytes(usage.Bytes)), ("max", EvidenceProblems.Bytes(limits.MaxRegistrationBytes)))
            : null;
    }
}
