using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Situk.Api.Certificates;

/// <summary>
/// A certificate as a one-page A4 landscape PDF: the LSP, the holder, the scheme, the number, the
/// dates and where anyone can check it. A revoked certificate still downloads, stamped as revoked.
/// </summary>
public static class CertificatePdf
{
    private const string Family = "DejaVu Sans";
    private static readonly XPdfFontOptions Ansi = new(PdfFontEncoding.WinAnsi);
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);

    // Before the first document: PDFsharp's font resolver is process-wide and fixed once used.
    static CertificatePdf() => CertificateFontResolver.Install();

    public static byte[] Render(CertificateDto certificate, string lspName, string checkUrl)
    {
        using var document = new PdfDocument();
        document.Info.Title = $"Sertifikat Kompetensi {certificate.Number}";
        document.Info.Author = lspName;
        var page = document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Landscape;
        using (var g = XGraphics.FromPdfPage(page))
        {
            Draw(g, page.Width.Point, page.Height.Point, certificate, lspName, checkUrl);
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static void Draw(XGraphics g, double width, double height, CertificateDto c, string lspName, string checkUrl)
    {
        g.DrawRectangle(new XPen(XColors.DarkSlateBlue, 3), 24, 24, width - 48, height - 48);
        var y = 80.0;
        Line(g, lspName, 18, bold: true, width, ref y, 40);
        Line(g, "SERTIFIKAT KOMPETENSI", 30, bold: true, width, ref y, 24);
        Line(g, "Certificate of Competence", 14, bold: false, width, ref y, 50);
        Line(g, "Diberikan kepada / This certifies that", 12, bold: false, width, ref y, 34);
        Line(g, c.HolderName, 26, bold: true, width, ref y, 40);
        Line(g, "telah kompeten pada skema / is competent in the scheme", 12, bold: false, width, ref y, 30);
        Line(g, c.SchemeName, 18, bold: true, width, ref y, 50);
        Line(g, $"Nomor / Number: {c.Number}", 13, bold: false, width, ref y, 22);
        Line(g, $"Diterbitkan / Issued: {CertificateNotices.Day(c.IssuedAt)}", 12, bold: false, width, ref y, 20);
        Line(g, $"Berlaku sampai / Valid until: {CertificateNotices.Day(c.ExpiresAt)}", 12, bold: false, width, ref y, 36);
        if (c.RevokedAt is { } revokedAt)
        {
            Line(g, $"DICABUT / REVOKED {CertificateNotices.Day(revokedAt)}", 20, bold: true, width, ref y, 30, XBrushes.DarkRed);
        }

        Line(g, "Periksa keabsahan / Check this certificate at:", 10, bold: false, width, ref y, 16);
        Line(g, checkUrl, 10, bold: false, width, ref y, 16);
    }

    private static void Line(XGraphics g, string text, double size, bool bold, double width, ref double y, double advance, XBrush? brush = null)
    {
        // Plain ASCII is written WinAnsi-encoded (readable text in the file); anything else as Unicode glyphs.
        var options = text.All(char.IsAscii) ? Ansi : Unicode;
        var font = new XFont(Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, options);
        // A long name or scheme (up to 200 characters) shrinks to the line rather than running off the page.
        while (size > 7 && g.MeasureString(text, font).Width > width - 80)
        {
            size -= 1;
            font = new XFont(Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, options);
        }

        g.DrawString(text, font, brush ?? XBrushes.Black, new XRect(40, y, width - 80, size * 1.4), XStringFormats.TopCenter);
        y += advance;
    }
}
