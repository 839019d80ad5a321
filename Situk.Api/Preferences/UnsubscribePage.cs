using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Preferences;

/// <summary>
/// <c>/unsubscribe?token=…</c>, the link of an email of an optional kind, for someone not signed in.
/// <c>GET</c> only shows what the link would do and a button: mail scanners fetch links before people
/// click them, so a GET changes nothing. <c>POST</c> with <c>List-Unsubscribe=One-Click</c> (RFC 8058: the
/// mail client's own button, or the page's) switches that kind's group email off and spends the link.
/// Every answer is a small page in the recipient's language; a refusal changes nothing.
/// </summary>
public static class UnsubscribePage
{
    /// <summary>The form field and value RFC 8058 requires in the POST.</summary>
    private const string OneClickField = "List-Unsubscribe";

    private const string OneClickValue = "One-Click";

    // Server-rendered, no script: the only thing the page may do is post its form back to itself.
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IEndpointRouteBuilder MapUnsubscribePage(this IEndpointRouteBuilder app)
    {
        app.MapGet(EmailUnsubscribe.Path, Show).ExcludeFromDescription();
        app.MapPost(EmailUnsubscribe.Path, Unsubscribe)
            .WithMetadata(new RequestSizeLimitAttribute(4096))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Show(
        HttpContext http, NpgsqlDataSource db, MandatoryEmail mandatory, IOptions<TextOptions> texts, TimeProvider time, CancellationToken ct)
    {
        var token = Token(http);
        await using var c = await db.OpenConnectionAsync(ct);
        var link = token is null ? null : await UnsubscribeLinks.FindAsync(c, null, token, forUpdate: false, ct);
        var outcome = UnsubscribeLinks.Check(link, time.GetUtcNow(), mandatory);
        var reader = await ReaderAsync(c, link, texts.Value, ct);
        return outcome == UnsubscribeLinks.Outcome.Unsubscribed
            ? Page(reader, StatusCodes.Status200OK, Say(reader, "preferences.page.confirm", link), form: true)
            : Refusal(reader, outcome, link);
    }

    private static async Task<IResult> Unsubscribe(
        HttpContext http, NpgsqlDataSource db, MandatoryEmail mandatory, IOptions<TextOptions> texts, TimeProvider time, ILoggerFactory logs,
        CancellationToken ct)
    {
        var token = Token(http);
        var oneClick = http.Request.HasFormContentType
            && (await http.Request.ReadFormAsync(ct))[OneClickField] is { Count: 1 } value && value[0] == OneClickValue;
        await using var c = await db.OpenConnectionAsync(ct);
        if (token is null || !oneClick)
        {
            var link = token is null ? null : await UnsubscribeLinks.FindAsync(c, null, token, forUpdate: false, ct);
            var reader = await ReaderAsync(c, link, texts.Value, ct);
            return token is null
                ? Refusal(reader, UnsubscribeLinks.Outcome.Unknown, null)
                : Page(reader, StatusCodes.Status400BadRequest, Say(reader, "preferences.page.incomplete", null), form: false);
        }

        var (outcome, used) = await UnsubscribeLinks.UseAsync(c, token, time.GetUtcNow(), mandatory, ct);
        var locale = await ReaderAsync(c, used, texts.Value, ct);
        if (outcome != UnsubscribeLinks.Outcome.Unsubscribed)
        {
            return Refusal(locale, outcome, used);
        }

        PreferencesLog.Unsubscribed(logs.CreateLogger(typeof(UnsubscribePage)), used!.UserId, NotificationGroups.Of(used.Kind));
        return Page(locale, StatusCodes.Status200OK, Say(locale, "preferences.page.done", used), form: false);
    }

    private static IResult Refusal(Locale reader, UnsubscribeLinks.Outcome outcome, UnsubscribeLinks.Link? link) => outcome switch
    {
        UnsubscribeLinks.Outcome.Used => Page(reader, StatusCodes.Status410Gone, Say(reader, "preferences.page.used", null), form: false),
        UnsubscribeLinks.Outcome.Expired => Page(reader, StatusCodes.Status410Gone, Say(reader, "preferences.page.expired", null), form: false),
        UnsubscribeLinks.Outcome.Mandatory => Page(reader, StatusCodes.Status422UnprocessableEntity, Say(reader, "preferences.page.mandatory", link), form: false),
        _ => Page(reader, StatusCodes.Status404NotFound, Say(reader, "preferences.page.unknown", null), form: false),
    };

    /// <summary>The token of the query, or null when absent or not the 43 base64url characters a link carries.</summary>
    private static string? Token(HttpContext http) =>
        http.Request.Query["token"] is { Count: 1 } values && values[0] is { Length: 43 } token && token.All(IsBase64Url) ? token : null;

    private static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>The link's owner's language; the default one for a link that names nobody.</summary>
    private static async Task<Locale> ReaderAsync(NpgsqlConnection c, UnsubscribeLinks.Link? link, TextOptions texts, CancellationToken ct)
    {
        if (link is not null && (await UserLocales.LoadAsync(c, null, [link.UserId], ct)).TryGetValue(link.UserId, out var found))
        {
            return found;
        }

        return Locale.For(texts.DefaultLanguage, Locale.IsZone(texts.DefaultTimeZone) ? texts.DefaultTimeZone : Locale.DefaultZoneId);
    }

    private static string Say(Locale reader, string key, UnsubscribeLinks.Link? link) =>
        link is null || !NotificationKinds.IsKnown(link.Kind)
            ? TextCatalog.Embedded.Render(reader, key)
            : TextCatalog.Embedded.Render(reader, key, new Dictionary<string, object?> { ["group"] = EmailUnsubscribe.GroupLabel(TextCatalog.Embedded, reader, link.Kind) });

    private static IResult Page(Locale reader, int status, string message, bool form)
    {
        var title = WebUtility.HtmlEncode(TextCatalog.Embedded.Render(reader, "preferences.page.title"));
        var button = form
            ? $"""
              <form method="post"><input type="hidden" name="{OneClickField}" value="{OneClickValue}"><button type="submit">{WebUtility.HtmlEncode(TextCatalog.Embedded.Render(reader, "preferences.page.button"))}</button></form>
              """
            : "";
        var html = $"""
            <!DOCTYPE html>
            <html lang="{reader.Language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>{title}</title></head>
            <body style="font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">
            <h1 style="font-size:1.3rem">{title}</h1>
            <p id="message">{WebUtility.HtmlEncode(message)}</p>
            {button}
            </body></html>
            """;
        return new PageResult(status, html);
    }

    private sealed class PageResult(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            return http.Response.WriteAsync(html, http.RequestAborted);
        }
    }
}
