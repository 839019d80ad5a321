namespace Situk.Tests.Support;

/// <summary>Reads the security headers a page is served with, for the page tests of the broker and the API.</summary>
public static class PageHeaders
{
    /// <summary>The Content-Security-Policy as directive → its sources, in order.</summary>
    public static Dictionary<string, string[]> Policy(HttpResponseMessage response)
    {
        var header = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        return header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(d => d[0], d => d[1..], StringComparer.Ordinal);
    }

    public static string Single(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
