using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Evidence;

/// <summary><c>Situk:Evidence</c>: how much a registration may hold in uploaded files.</summary>
public sealed class EvidenceOptions
{
    public const string Section = "Situk:Evidence";

    /// <summary>
    /// The largest single file, in bytes. Default 5 MiB: a phone photo of a KTP or a scanned diploma
    /// fits easily, and a lab of 300 candidates uploading at once stays within a few GiB of spool.
    /// </summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>The most all files of one registration may hold together, in bytes. Default 25 MiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRegistrationBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>The most files one registration may hold (APL-01 attachments and APL-02 evidence together). Default 30.</summary>
    [Range(1, 1000)]
    public int MaxFilesPerRegistration { get; set; } = 30;

    /// <summary>
    /// What a request may carry besides the file: boundaries, part headers and the short form fields.
    /// Kestrel's body limit for the upload routes is <see cref="MaxFileBytes"/> plus this.
    /// </summary>
    public const long EnvelopeBytes = 256 * 1024;
}
