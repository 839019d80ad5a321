using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Situk.Api.Certificates;
using Situk.Api.Texts;

namespace Situk.Api.Notifications;

/// <summary>An email as it goes out: subject, plain-text part and HTML part, with the same words.</summary>
public sealed record ComposedEmail(string Subject, string Text, string Html);

/// <summary>One line of an email's list (a digest's item) and where it leads (site-relative or absolute).</summary>
public sealed record EmailListItem(string Text, string? Link);

/// <summary>
/// The way out of an optional kind's emails, already in the reader's language: "<paramref name="Lead"/>
/// <paramref name="Action"/>: <paramref name="Url"/>", shown as the footer's last line.
/// </summary>
public sealed record UnsubscribeLine(string Lead, string Action, string Url);

/// <summary>
/// Lays out every email Situk sends, in its reader's language (<c>Texts/emails.*.json</c>): the title,
/// a greeting by name, the words (and a list of linked lines, for a digest), a button with the link made
/// absolute on <c>Situk:PublicWebUrl</c> (and the same link written out for a client that shows no buttons),
/// and a footer naming the LSP and how to reach it (<c>Situk:Lsp:*</c>; a contact line is left out while its
/// key is unset), closed by the unsubscribe line when the email has one. The HTML part escapes every value
/// and marks the footer's cell <c>class="situk-footer"</c>; the plain-text part says the same words
/// (multipart/alternative), its footer after the "-- " signature line.
/// </summary>
public sealed class NotificationEmail(PublicLinks links, IOptions<LspOptions> lsp)
{
    /// <summary>The class of the HTML footer's cell, where the LSP's lines and the unsubscribe line are.</summary>
    public const string FooterClass = "situk-footer";

    private readonly TextCatalog _texts = TextCatalog.Embedded;

    /// <summary>A notification's email: its stored title and words, as written for this reader.</summary>
    public ComposedEmail Notification(Locale reader, string name, string title, string body, string? link, UnsubscribeLine? unsubscribe = null) =>
        Compose(reader, name, title, [body], link, "email.action", unsubscribe: unsubscribe);

    /// <summary>The email of a pull kind: only that something waits and where to sign in, nothing of the content.</summary>
    public ComposedEmail Neutral(Locale reader, string name, string kind, string? link, UnsubscribeLine? unsubscribe = null) =>
        Compose(reader, name, PullPolicy.NeutralTitle(_texts, reader.Language, kind), [_texts.Render(reader, "pull.body")], link, "pull.action", unsubscribe: unsubscribe);

    /// <summary>
    /// An email of <paramref name="paragraphs"/> (already written for the reader) under <paramref name="title"/>,
    /// then <paramref name="items"/> as a list, each line linked; <paramref name="link"/> is site-relative or
    /// absolute, <paramref name="actionKey"/> names its button's text.
    /// </summary>
    public ComposedEmail Compose(
        Locale reader, string name, string title, IReadOnlyList<string> paragraphs, string? link, string actionKey,
        IReadOnlyList<EmailListItem>? items = null, UnsubscribeLine? unsubscribe = null)
    {
        var href = links.Absolute(link);
        var greeting = _texts.Render(reader, "email.greeting", new Dictionary<string, object?> { ["name"] = name });
        var action = _texts.Render(reader, actionKey);
        var linkLine = href is null ? null : _texts.Render(reader, "email.link", new Dictionary<string, object?> { ["action"] = action, ["link"] = href });
        var list = (items ?? []).Select(i => new EmailListItem(i.Text, links.Absolute(i.Link))).ToList();
        var footer = Footer(reader);
        var subject = _texts.Render(reader, "email.subject", new Dictionary<string, object?> { ["title"] = title });
        return new ComposedEmail(
            subject,
            Text(title, greeting, paragraphs, list, linkLine, footer, unsubscribe),
            Html(reader, title, greeting, paragraphs, list, href, action, linkLine, footer, unsubscribe));
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

    private static string Text(
        string title, string greeting, IReadOnlyList<string> paragraphs, List<EmailListItem> items, string? linkLine, List<string> footer, UnsubscribeLine? unsubscribe)
    {
        var text = new StringBuilder().Append(title).Append("\n\n").Append(greeting).Append("\n\n");
        foreach (var p in paragraphs)
        {
            text.Append(p).Append("\n\n");
        }

        foreach (var item in items)
        {
            text.Append("- ").Append(item.Text).Append('\n');
            if (item.Link is not null)
            {
                text.Append("  ").Append(item.Link).Append('\n');
            }
        }

        if (items.Count > 0)
        {
            text.Append('\n');
        }

        if (linkLine is not null)
        {
            text.Append(linkLine).Append("\n\n");
        }

        // "-- " on its own line: mail clients recognise the signature and grey it out.
        text.Append("-- \n").AppendJoin('\n', footer).Append('\n');
        if (unsubscribe is not null)
        {
            text.Append('\n').Append(unsubscribe.Lead).Append(' ').Append(unsubscribe.Action).Append(": ").Append(unsubscribe.Url).Append('\n');
        }

        return text.ToString();
    }

    private static string Html(
        Locale reader, string title, string greeting, IReadOnlyList<string> paragraphs, List<EmailListItem> items,
        string? href, string action, string? linkLine, List<string> footer, UnsubscribeLine? unsubscribe)
    {
        var body = new StringBuilder();
        foreach (var p in paragraphs.SelectMany(p => p.Split("\n\n")))
        {
            body.Append("<p style=\"margin:0 0 16px\">").Append(Encode(p).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>\n");
        }

        if (items.Count > 0)
        {
            body.Append("""<ul style="margin:0 0 16px;padding:0 0 0 20px">""");
            foreach (var item in items)
            {
                body.Append("""<li style="margin:0 0 8px">""")
                    .Append(item.Link is null
                        ? Encode(item.Text)
                        : $"""<a href="{Encode(item.Link)}" style="color:#0b5cad">{Encode(item.Text)}</a>""")
                    .Append("</li>");
            }

            body.Append("</ul>\n");
        }

        if (href is not null)
        {
            body.Append($"""<p style="margin:24px 0"><a href="{Encode(href)}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px">{Encode(action)}</a></p>""")
                .Append('\n')
                .Append($"""<p style="margin:0 0 16px;font-size:13px;color:#52606d;word-break:break-all">{Encode(linkLine!)}</p>""")
                .Append('\n');
        }

        var foot = string.Concat(footer.Select(line => $"""<p style="margin:0 0 4px">{Encode(line)}</p>"""));
        if (unsubscribe is not null)
        {
            foot += $"""<p style="margin:12px 0 0">{Encode(unsubscribe.Lead)} <a href="{Encode(unsubscribe.Url)}" style="color:#52606d">{Encode(unsubscribe.Action)}</a></p>""";
        }

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
            <tr><td class="{FooterClass}" style="padding:16px 24px;border-top:1px solid #e4e7eb;font-size:12px;color:#52606d">{foot}</td></tr>
            </table>
            </td></tr></table>
            </body></html>
            """;
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
