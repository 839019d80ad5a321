namespace Situk.Api.Texts;

/// <summary>
/// A value that is itself a text: written in the reader's language when the template that names it is
/// filled (a document kind, "KTP" / "identity card"), where a plain string would stay as given.
/// </summary>
public sealed record TextKey(string Key);
