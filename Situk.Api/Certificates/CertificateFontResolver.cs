using PdfSharp.Fonts;

namespace Situk.Api.Certificates;

/// <summary>
/// PDFsharp 6 finds no system fonts on Linux; it takes them from a resolver. Every family resolves to
/// DejaVu Sans, embedded in this assembly (<c>Certificates/Fonts</c>, Bitstream Vera licence), so a
/// certificate looks the same on any host and prints any Latin, Greek or Cyrillic name.
/// </summary>
public sealed class CertificateFontResolver : IFontResolver
{
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Gate = new();

    /// <summary>Installs the resolver once per process (PDFsharp's setting is global and may not change after first use).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not CertificateFontResolver)
            {
                GlobalFontSettings.FontResolver = new CertificateFontResolver();
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName)
    {
        using var stream = typeof(CertificateFontResolver).Assembly.GetManifestResourceStream($"fonts/{faceName}.ttf");
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
