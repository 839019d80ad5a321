namespace Situk.Api.Evidence;

/// <summary>
/// The file types Situk stores, recognised by their leading bytes ("magic numbers") only: the client's
/// content type and file name are claims anyone can forge, and a browser or viewer trusts the bytes.
/// </summary>
public static class FileSignatures
{
    public sealed record FileType(string ContentType, string Extension, byte[] Magic);

    public static readonly IReadOnlyList<FileType> Accepted =
    [
        new("application/pdf", ".pdf", "%PDF-"u8.ToArray()),
        new("image/jpeg", ".jpg", [0xFF, 0xD8, 0xFF]),
        new("image/png", ".png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    ];

    /// <summary>How many leading bytes <see cref="Detect"/> needs to decide.</summary>
    public static readonly int HeadLength = Accepted.Max(t => t.Magic.Length);

    /// <summary>The type whose signature starts <paramref name="head"/>, or null.</summary>
    public static FileType? Detect(ReadOnlySpan<byte> head)
    {
        foreach (var type in Accepted)
        {
            if (head.StartsWith(type.Magic))
            {
                return type;
            }
        }

        return null;
    }

    public static string Names => "PDF, JPEG or PNG";
}
