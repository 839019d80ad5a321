using System.Net.Http.Headers;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Evidence;

/// <summary>Files with real leading bytes, multipart forms as curl -F sends them, and a fingerprint of what is stored.</summary>
internal static class EvidenceFiles
{
    public static readonly byte[] PdfMagic = "%PDF-1.7\n"u8.ToArray();
    public static readonly byte[] JpegMagic = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46];
    public static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A Windows executable's header ("MZ"), the bytes a disguised .exe starts with.</summary>
    public static readonly byte[] ExeMagic = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00];

    public static readonly byte[] HtmlMagic = "<!DOCTYPE html><script>alert(1)</script>"u8.ToArray();

    /// <summary><paramref name="size"/> bytes starting with <paramref name="magic"/>, the rest random (seeded: reproducible).</summary>
    public static byte[] Make(byte[] magic, int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        magic.AsSpan(0, Math.Min(magic.Length, size)).CopyTo(bytes);
        return bytes;
    }

    public static byte[] Jpeg(int size = 20_000, int seed = 1) => Make(JpegMagic, size, seed);

    public static byte[] Pdf(int size = 20_000, int seed = 2) => Make(PdfMagic, size, seed);

    public static byte[] Png(int size = 20_000, int seed = 3) => Make(PngMagic, size, seed);

    /// <summary>A form like <c>curl -F kind=… -F purpose=… -F file=@name;type=…</c>; a null field is left out.</summary>
    public static MultipartFormDataContent Form(
        byte[]? file, string? fileName = "ktp.jpg", string? contentType = "image/jpeg",
        string? kind = "identity_card", string? purpose = "apl01", string? criterionId = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in new[] { ("kind", kind), ("purpose", purpose), ("criterionId", criterionId) })
        {
            if (value is not null)
            {
                form.Add(new StringContent(value), name);
            }
        }

        if (file is not null)
        {
            form.Add(FilePart(file, contentType), "file", fileName ?? "file");
        }

        return form;
    }

    public static ByteArrayContent FilePart(byte[] file, string? contentType = "image/jpeg")
    {
        var part = new ByteArrayContent(file);
        if (contentType is not null)
        {
            part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return part;
    }

    /// <summary>A replacement form: only the file.</summary>
    public static MultipartFormDataContent FileOnly(byte[] file, string fileName = "ktp-baru.jpg", string contentType = "image/jpeg")
    {
        var form = new MultipartFormDataContent { { FilePart(file, contentType), "file", fileName } };
        return form;
    }

    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, Case c, MultipartFormDataContent form) =>
        client.PostAsync($"{c.Path}/documents", form);

    /// <summary>
    /// Row counts of every stored table, and of the files their ids, hashes, sizes and review states:
    /// a refused upload, replacement or review must leave all of it as it was.
    /// </summary>
    public static async Task<string> FingerprintAsync(ApiFixture api)
    {
        var counts = await api.CountRowsAsync();
        var files = await api.ScalarAsync<string>(
            """
            SELECT count(*) || ':' || coalesce(string_agg(id || '/' || encode(sha256, 'hex') || '/' || size_bytes || '/' || review || '/' || octet_length(content), ',' ORDER BY id), '-')
            FROM evidence_files
            """);
        return string.Join(",", counts.Select(kv => $"{kv.Key}={kv.Value}")) + "|" + files;
    }
}
