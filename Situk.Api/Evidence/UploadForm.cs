using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Situk.Api.Evidence;

/// <summary>
/// A <c>multipart/form-data</c> upload read as a stream with <see cref="MultipartReader"/>: short text fields,
/// and exactly one file part named <c>file</c>, spooled by <see cref="SpooledFile"/>. Nothing is buffered whole
/// in memory, and every malformed or oversized part is a problem naming the field (or <c>body</c>).
/// </summary>
public sealed class UploadForm : IAsyncDisposable
{
    /// <summary>The longest text field value, in bytes; kinds, purposes and ids are far shorter.</summary>
    public const int MaxFieldBytes = 256;

    /// <summary>The most parts a form may have: three fields and a file, with room for a client's extras to be named.</summary>
    public const int MaxParts = 8;

    private UploadForm(Dictionary<string, string> fields, SpooledFile file)
    {
        Fields = fields;
        File = file;
    }

    public IReadOnlyDictionary<string, string> Fields { get; }

    public SpooledFile File { get; }

    public string? Field(string name) => Fields.GetValueOrDefault(name);

    /// <summary>Reads the request's form; <paramref name="fieldNames"/> are the text fields the route takes besides <c>file</c>.</summary>
    public static async Task<(UploadForm? Form, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, IReadOnlyCollection<string> fieldNames, long maxFileBytes, CancellationToken ct)
    {
        // The route's own body limit: the file plus the envelope, instead of Kestrel's 30 MB for JSON routes.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxFileBytes + EvidenceOptions.EnvelopeBytes;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (null, EvidenceProblems.Field(StatusCodes.Status415UnsupportedMediaType, "body", "form.not_multipart"));
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            return (null, EvidenceProblems.Invalid("body", "form.boundary"));
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        SpooledFile? file = null;
        var done = false;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 4096 };
            var parts = 0;
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (++parts > MaxParts)
                {
                    return (null, EvidenceProblems.Invalid("body", "form.too_many_parts", ("max", MaxParts)));
                }

                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    return (null, EvidenceProblems.Invalid("body", "form.part_unnamed"));
                }

                if (name == "file")
                {
                    if (file is not null)
                    {
                        return (null, EvidenceProblems.Invalid("file", "form.one_file"));
                    }

                    var sentName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    var (spooled, refused) = await SpooledFile.CopyAsync(section.Body, sentName, maxFileBytes, ct);
                    if (refused is not null)
                    {
                        return (null, refused);
                    }

                    file = spooled;
                    continue;
                }

                if (!fieldNames.Contains(name))
                {
                    return (null, EvidenceProblems.Invalid(
                        Nameable(name) ? name : "body", "form.unknown_field", ("fields", string.Join(", ", fieldNames.Append("file")))));
                }

                if (fields.ContainsKey(name))
                {
                    return (null, EvidenceProblems.Invalid(name, "form.field_twice", ("field", name)));
                }

                var (value, problem) = await ReadFieldAsync(section.Body, name, ct);
                if (problem is not null)
                {
                    return (null, problem);
                }

                fields[name] = value!;
            }

            if (file is null)
            {
                return (null, EvidenceProblems.Invalid("file", "form.no_file"));
            }

            done = true;
            return (new UploadForm(fields, file), null);
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, EvidenceProblems.TooLarge("body", "form.too_large", ("size", EvidenceProblems.Bytes(maxFileBytes + EvidenceOptions.EnvelopeBytes))));
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !ct.IsCancellationRequested)
        {
            // MultipartReader's answer to a body that is not the multipart it claims (no boundary, cut off, oversized part headers).
            return (null, EvidenceProblems.Invalid("body", "form.malformed"));
        }
        finally
        {
            if (!done && file is not null)
            {
                await file.DisposeAsync();
            }
        }
    }

    public ValueTask DisposeAsync() => File.DisposeAsync();

    private static async Task<(string? Value, ProblemHttpResult? Problem)> ReadFieldAsync(Stream body, string name, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
        }

        if (length > MaxFieldBytes)
        {
            return (null, EvidenceProblems.Invalid(name, "form.field_too_long", ("field", name), ("max", MaxFieldBytes)));
        }

        try
        {
            var value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
            return value.Contains('\0', StringComparison.Ordinal)
                ? (null, EvidenceProblems.Invalid(name, "request.value_nul", ("field", name)))
                : (value, null);
        }
        catch (DecoderFallbackException)
        {
            return (null, EvidenceProblems.Invalid(name, "form.not_utf8", ("field", name)));
        }
    }

    /// <summary>Whether a client's field name is tame enough to be echoed as the key of <c>errors</c>.</summary>
    private static bool Nameable(string name) => name.Length <= 40 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
