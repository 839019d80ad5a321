using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Registrations;

namespace Situk.Api.Evidence;

/// <summary>
/// Evidence files of a registration: APL-01 attachments and APL-02 evidence uploaded by the asesi as
/// multipart/form-data, checked by their leading bytes, bounded per file and per registration, reviewed
/// one by one during APL-01 verification, and streamed back to those who may see the registration.
/// Someone else's registration or file is 404, never 403, so its existence is not revealed.
/// </summary>
public static partial class EvidenceApi
{
    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/registrations/{id:long}/documents").WithTags("Evidence").RequireAuthorization();

        group.MapPost("/", Upload).RequireAuthorization(AuthSetup.Asesi).WithUploadProblems()
            .WithSummary("The asesi uploads one file (multipart/form-data: kind, purpose = apl01|apl02, criterionId? for apl02, file): "
                + "APL-01 attachments while submitted, APL-02 evidence while assigned.");
        group.MapGet("/", List).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The registration's files (metadata, review state) and how much room is left.");
        group.MapPut("/{docId:long}", Replace).RequireAuthorization(AuthSetup.Asesi).WithUploadProblems()
            .WithSummary("The asesi replaces a file (multipart/form-data: file) in the state it was uploaded in; its review starts again.");
        group.MapGet("/{docId:long}/content", Download).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The file's bytes, streamed as an attachment with the detected content type.");
        group.MapPost("/{docId:long}/review", Review).RequireAuthorization(RegistrationSetup.VerifierPolicy(routes))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An admin or asesor accepts or rejects an APL-01 file while APL-01 is verified; a rejection tells the asesi (document.rejected).");
        return routes;
    }

    private static RouteHandlerBuilder WithUploadProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<Results<Ok<DocumentListDto>, ProblemHttpResult>> List(
        long id, ClaimsPrincipal user, NpgsqlDataSource db, IOptions<EvidenceOptions> options, IOptions<RegistrationOptions> rules, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        if (await EvidenceStore.OwnerAsync(c, id, ct) is not { } owner || !Visible(user, owner, rules.Value))
        {
            return Problems.NotFound("registration.not_found", ("id", id));
        }

        var items = await EvidenceStore.ListAsync(c, id, ct);
        var limits = options.Value;
        return TypedResults.Ok(new DocumentListDto(
            items, items.Sum(d => d.Size), limits.MaxFileBytes, limits.MaxRegistrationBytes, limits.MaxFilesPerRegistration));
    }

    /// <summary>
    /// Streams the bytes from PostgreSQL to the response as they arrive (SequentialAccess), so a download holds
    /// one copy buffer of memory whatever the file's size. The connection lives until the response is written.
    /// </summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Download(
        long id, long docId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IOptions<RegistrationOptions> rules, CancellationToken ct)
    {
        var read = new ContentRead(await db.OpenConnectionAsync(ct));
        http.Response.RegisterForDisposeAsync(read);
        if (await EvidenceStore.OwnerAsync(read.Connection, id, ct) is not { } owner || !Visible(user, owner, rules.Value))
        {
            return Problems.NotFound("registration.not_found", ("id", id));
        }

        read.Reader = await EvidenceStore.OpenContentAsync(read.Connection, id, docId, ct);
        if (read.Reader is not { } reader)
        {
            return Problems.NotFound("document.not_found", ("id", docId));
        }

        var contentType = reader.GetString(0);
        var fileName = reader.GetString(1);
        var size = reader.GetInt64(2);
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, no-store";
        http.Response.ContentLength = size;
        return TypedResults.Stream(
            async body =>
            {
                await using var content = await reader.GetStreamAsync(3, ct);
                await content.CopyToAsync(body, ct);
            },
            contentType,
            fileName);
    }

    /// <summary>
    /// Who may see a registration's files: whoever may see the registration (its asesi, its asesor, admins, and
    /// asesors while it waits unassigned in the APL-01 verification queue when asesors may verify, since they
    /// verify these very files).
    /// </summary>
    private static bool Visible(ClaimsPrincipal user, EvidenceStore.Owner owner, RegistrationOptions rules) =>
        RegistrationStore.Visible(Caller.From(user), owner.AsesiId, owner.AsesorId, owner.Status, rules.AsesorsMayVerify);

    /// <summary>The connection and reader of one download, closed in that order once the response is done.</summary>
    private sealed class ContentRead(NpgsqlConnection connection) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public NpgsqlDataReader? Reader { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Reader is not null)
            {
                await Reader.DisposeAsync();
            }

            await Connection.DisposeAsync();
        }
    }
}
