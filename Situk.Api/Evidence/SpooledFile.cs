using System.Buffers;
using System.Security.Cryptography;

namespace Situk.Api.Evidence;

/// <summary>
/// An uploaded file, copied to a temporary file (deleted when disposed) while it arrives. The slow part of an
/// upload — the client's network — so holds no database connection and no more than one copy buffer of memory;
/// the bytes go into PostgreSQL afterwards in one statement, from this file.
/// </summary>
public sealed class SpooledFile : IAsyncDisposable
{
    private const int CopyBufferBytes = 64 * 1024;

    private SpooledFile(FileStream content, long length, byte[] sha256, FileSignatures.FileType type, string fileName)
    {
        Content = content;
        Length = length;
        Sha256 = sha256;
        Type = type;
        FileName = fileName;
    }

    /// <summary>The bytes, positioned at the start.</summary>
    public FileStream Content { get; }

    public long Length { get; }

    public byte[] Sha256 { get; }

    public FileSignatures.FileType Type { get; }

    public string FileName { get; }

    /// <summary>
    /// Copies <paramref name="body"/> to a temporary file, counting bytes and hashing as it goes. Stops reading
    /// (413) at the first byte past <paramref name="maxBytes"/>, and (415) as soon as the leading bytes are not
    /// a known signature, so neither a huge nor a disguised file is read to its end.
    /// </summary>
    public static async Task<(SpooledFile? File, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem)> CopyAsync(
        Stream body, string? sentName, long maxBytes, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), "situk-evidence-" + Path.GetRandomFileName());
        var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        var keep = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var head = new byte[FileSignatures.HeadLength];
            var headLength = 0;
            FileSignatures.FileType? type = null;
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), ct)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    return (null, EvidenceProblems.FileTooLarge(maxBytes));
                }

                if (type is null)
                {
                    var take = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                    headLength += take;
                    if (headLength == head.Length && (type = FileSignatures.Detect(head)) is null)
                    {
                        return (null, EvidenceProblems.WrongType());
                    }
                }

                hash.AppendData(buffer, 0, read);
                await spool.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            if (total == 0)
            {
                return (null, EvidenceProblems.Invalid("file", "evidence.file_empty"));
            }

            // A file shorter than the longest signature may still start with a shorter one (a tiny PDF).
            type ??= FileSignatures.Detect(head.AsSpan(0, headLength));
            if (type is null)
            {
                return (null, EvidenceProblems.WrongType());
            }

            await spool.FlushAsync(ct);
            spool.Position = 0;
            keep = true;
            return (new SpooledFile(spool, total, hash.GetHashAndReset(), type, SafeFileName.From(sentName, type)), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!keep)
            {
                await spool.DisposeAsync();
            }
        }
    }

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
