using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Registrations;
using Situk.Api.Relay;

namespace Situk.Api.Evidence;

/// <summary>
/// Reviewing APL-01 files, one by one, while APL-01 is verified (status <c>submitted</c>). A file may be reviewed
/// again until the registration is verified. A rejected file holds APL-01 approval back (409 from
/// <c>POST /registrations/{id}/verification</c> naming it) until the asesi replaces it; pending files do not.
/// </summary>
public static partial class EvidenceApi
{
    private static async Task<Results<Ok<DocumentDto>, ProblemHttpResult>> Review(
        long id, long docId, DocumentReviewRequest body, ClaimsPrincipal user, NpgsqlDataSource db, PushHandOff pushes, IOptions<RegistrationOptions> rules, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var me = Caller.From(user);
        await using var step = await RegistrationStep.BeginAsync(db, pushes, id, ct);
        if (step.Refuse(id, r => r.VisibleTo(me, rules.Value.AsesorsMayVerify), RegistrationStatus.Submitted) is { } refused)
        {
            return refused;
        }

        var document = await EvidenceStore.GetAsync(step.Connection, step.Transaction, id, docId, ct);
        if (document is null)
        {
            return Problems.NotFound("document.not_found", ("id", docId));
        }

        if (document.Purpose != EvidencePurposes.Apl01)
        {
            // APL-02 evidence cannot exist while the registration is submitted; this keeps the rule explicit.
            return Problems.Conflict("document.apl02_review", ("id", docId));
        }

        var accepted = body.Accepted!.Value;
        if (!accepted && string.IsNullOrWhiteSpace(body.Note))
        {
            return EvidenceProblems.Invalid("note", "document.note_required");
        }

        await EvidenceStore.ReviewAsync(step.Connection, step.Transaction, docId, accepted, body.Note, me.UserId, ct);
        var reviewed = (await EvidenceStore.GetAsync(step.Connection, step.Transaction, id, docId, ct))!;
        await step.CommitAsync(null, accepted ? [] : [EvidenceNotices.Rejected(step.Registration!, reviewed, body.Note!)], ct);
        EvidenceLog.Reviewed(loggers.CreateLogger(EvidenceLog.Category), docId, id, reviewed.Review);
        return TypedResults.Ok(reviewed);
    }

    /// <summary>
    /// Why APL-01 may not be approved yet, or null: a file a reviewer rejected and the asesi has not replaced.
    /// Called by the verification step inside its transaction, under the registration's row lock.
    /// </summary>
    public static async Task<ProblemHttpResult?> ApprovalBlockedAsync(NpgsqlConnection c, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        await EvidenceStore.FirstRejectedAsync(c, tx, id, ct) is { } rejected
            ? Problems.Conflict(
                "document.rejected_blocks",
                new Dictionary<string, object?> { ["documentId"] = rejected.Id },
                ("id", rejected.Id),
                ("fileName", rejected.FileName),
                ("registrationId", id))
            : null;
}
