using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Situk.Api.Certificates;
using Situk.Api.Texts;

namespace Situk.Api.Notifications;

/// <summary>An email as it goes out: subject, plain-text part and HTML part, with the same words.</summary>
public sealed record ComposedEmail(string Subject, string Text, string Html);

/// <summary>
/// Lays out every email Situk sends, in its reader's language (<c>Texts/emails.*.json</c>): the title,
/// a greeting by name, the words, a button with the link made absolute on <c>Situk:PublicWebUrl</c>
/// (and the same link written out for a client that shows no buttons), and a footer naming the LSP and
/// how to reach it (<c>Situk:Lsp:*</c>; a contact line is left out while its key is unset). The HTML
/// part escapes every value; the plain-text part says the same words (multipart/alternative).
/// </summary>
public sealed class NotificationEmail(PublicLinks links, IOptions<LspOptions> lsp)
{
    private readonly TextCatalog _texts = TextCatalog.Embedded;

    /// <summary>A notification's email: its stored title and words, as written for this reader.</summary>
    public ComposedEmail Notification(Locale reader, string name, string title, string body, string? link) =>
        Compose(reader, name, title, [body], link, "email.action");

    /// <summary>The email of a pull kind: only that something waits and where to sign in, nothing of the content.</summary>
    public ComposedEmail Neutral(Locale reader, string name, string kind, string? link) =>
        Compose(reader, name, PullPolicy.NeutralTitle(_texts, reader.Language, kind), [_texts.Render(reader, "pull.body")], link, "pull.action");

    /// <summary>
    /// An email of <paramref name="paragraphs"/> (already written for the reader) under <paramref name="title"/>;
    /// <paramref name="link"/> is site-relative or absolute, <paramref name="actionKey"/> names its button's text.
    /// </summary>
    public ComposedEmail Compose(Locale reader, string name, string title, IReadOnlyList<string> paragraphs, string? link, string actionKey)
    {
        var href = links.Absolute(link);
        var greeting = _texts.Render(reader, "email.greeting", new Dictionary<string, object?> { ["name"] = name });
        var action = _texts.Render(reader, actionKey);
        var linkLine = href is null ? null : _texts.Render(reader, "email.link", new Dictionary<string, object?> { ["action"] = action, ["link"] = href });
        var footer = Footer(reader);
        var subject = _texts.Render(reader, "email.subject", new Dictionary<string, object?> { ["title"] = title });
        return new ComposedEmail(subject, Text(title, greeting, paragraphs, linkLine, footer), Html(reader, title, greeting, paragraphs, href, action, linkLine, footer));
    }

    /// <summary>The footer's lines: who sent it, then each contact the LSP configured.</summary>
    private List<string> Footer(Locale reader)
    {
        var o = lsp.Value;
        var lines = new List<string> { _texts.Render(reader, "email.footer.sender", new Dictionary<string, object?> { ["lspName"] = o.Name }) };
        foreach (var (key, name, value) in new[]
        {
            ("email.footer.address", "address", o.Address),
            ("email.footer.phone", "phone", o.Phone),
            ("email.footer.email", "email", o.Email),
            ("email.footer.web", "webUrl", o.WebUrl),
        })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                lines.Add(_texts.Render(reader, key, new Dictionary<string, object?> { [name] = value }));
            }
        }

        return lines;
    }

    private static string Text(string title, string greeting, IReadOnlyList<string> paragraphs, string? linkLine, List<string> footer)
    {
        var text = new StringBuilder().Append(title).Append("\n\n").Append(greeting).Append("\n\n");
        foreach (var p in paragraphs)
        {
            text.Append(p).Append("\n\n");
        }

        if (linkLine is not null)
        {
            text.Append(linkLine).Append("\n\n");
        }

        // "-- " on its own line: mail clients recognise the signature and grey it out.
        return text.Append("-- \n").AppendJoin('\n', footer).Append('\n').ToString();
    }

    private static string Html(
        Locale reader, string title, string greeting, IReadOnlyList<string> paragraphs, string? href, string action, string? linkLine, List<string> footer)
    {
        var body = new StringBuilder();
        foreach (var p in paragraphs.SelectMany(p => p.Split("\n\n")))
        {
            body.Append("<p style=\"margin:0 0 16px\">").Append(Encode(p).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>\n");
        }

        if (href is not null)
        {
            body.Append($"""<p style="margin:24px 0"><a href="{Encode(href)}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px">{Encode(action)}</a></p>""")
                .Append('\n')
                .Append($"""<p style="margin:0 0 16px;font-size:13px;color:#52606d;word-break:break-all">{Encode(linkLine!)}</p>""")
                .Append('\n');
        }

        var foot = string.Concat(footer.Select(line => $"""<p style="margin:0 0 4px">{Encode(line)}</p>"""));
        return $"""
            <!DOCTYPE html>
            <html lang="{reader.Language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{Encode(title)}</title></head>
            <body style="margin:0;padding:0;background:#f4f5f7">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:6px;font-family:Arial,Helvetica,sans-serif;color:#1f2933;font-size:16px;line-height:1.5">
            <tr><td style="padding:24px">
            <h1 style="margin:0 0 16px;font-size:20px">{Encode(title)}</h1>
            <p style="margin:0 0 16px">{Encode(greeting)}</p>
            {body}</td></tr>
            <tr><td style="padding:16px 24px;border-top:1px solid #e4e7eb;font-size:12px;color:#52606d">{foot}</td></tr>
            </table>
            </td></tr></table>
            </body></html>
            """;
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
